// Package moderation connects the policy plugins to the social domain: its
// Moderator turns a policy.Host into the social.Moderator and social.Ranker
// the service consumes, mapping requests and the host's combined decisions
// between the two vocabularies (pluginsdk's verdicts and decisions,
// social's Verdict and Flags).
//
// It is the only package that imports both policy and social, so neither
// imports the other: social declares what it needs, policy knows nothing of
// statuses as social stores them, and cmd/starling wires Moderator in.
package moderation
