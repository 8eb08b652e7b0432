-- 0036_fts_desc: status search reads the newest matches (ORDER BY docid
-- DESC LIMIT 1000). FTS4 stores doclists in ascending docid order unless
-- told otherwise, and then reads a word's whole doclist to walk it
-- backwards: at 1M statuses a common word cost tens of milliseconds. With
-- order=DESC the walk stops after the newest matches.
--
-- BM25's document frequencies came from matchinfo 'x', which also reads
-- whole doclists on every query; they are now counted once per word and
-- cached by the store (search.go). Not with fts4aux: over a table with
-- order=DESC, its document counts are wrong once there are several
-- segments (SQLite 3.40 to 3.54, checked).
DROP TABLE statuses_fts;
CREATE VIRTUAL TABLE statuses_fts USING fts4 (
    content="statuses", spoiler_text, text, tokenize=unicode61 "remove_diacritics=0", order=DESC
);
INSERT INTO statuses_fts (statuses_fts) VALUES ('rebuild');
