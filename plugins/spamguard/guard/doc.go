// Package guard is the spam guard the spamguard plugin serves: limits on
// links, mentions and hashtags per status, a duplicate-post window per
// account, and stricter limits for new accounts. By default it flags
// (stores the status and lists it for moderators) rather than rejects.
//
// Configuration (every field optional; the defaults are shown):
//
//	{
//	  "max_links": 4, "max_mentions": 8, "max_hashtags": 10,
//	  "new_account_age": "72h", "new_account_statuses": 10,
//	  "new_max_links": 1, "new_max_mentions": 3, "new_max_hashtags": 4,
//	  "duplicate_window": "10m", "duplicate_max": 1,
//	  "action": "flag"
//	}
//
// An account is new while it is younger than new_account_age or has posted
// fewer than new_account_statuses statuses; the new_ limits then apply.
// A status whose normalized text (package textnorm) equals one the same
// account posted within duplicate_window is a duplicate once duplicate_max
// such statuses exist. Edits and the host's canary calls are never counted
// as duplicates. "action" is "flag" or "reject". A bio (check_account) with
// more than max_links links is flagged.
//
// The duplicate window lives in the plugin's memory: it is per plugin
// process, bounded (maxTracked accounts, maxRecent statuses each), and
// starts empty after a restart or a hot swap.
package guard
