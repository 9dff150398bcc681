"""Generated documents: notices, records, the agreement, court papers, letters — as Word
and PDF from one versioned content model, each file stored with its SHA-256."""
