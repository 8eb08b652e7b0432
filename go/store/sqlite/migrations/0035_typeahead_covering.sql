-- 0035_typeahead_covering: the account typeahead (SearchAccounts) reads a
-- prefix range of lower(username) and of lower(display_name) and keeps the
-- most followed. With followers_count (and, for display names, the
-- username, to leave out accounts the username range already found) in the
-- index, the range is read from the index alone: at 100k accounts a
-- one-letter prefix was a full scan of the table (about 50 ms of CPU), and
-- a range with a row lookup per match still 15 ms; from the index, under
-- 1 ms (bench/RESULTS.md, scale).
CREATE INDEX accounts_username_prefix_idx ON accounts (lower(username), followers_count);
DROP INDEX accounts_display_name_lower_idx;
CREATE INDEX accounts_display_name_prefix_idx ON accounts (lower(display_name), followers_count, lower(username));
