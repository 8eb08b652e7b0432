package mastodon

// compatVersion is the Mastodon version whose client API Starling serves,
// as far as apps use it. Apps read the instance's version (and, from 4.3,
// api_versions.mastodon) to decide which endpoints to call, so it must name
// only what is served: advertising 4.3.0 made apps call
// /api/v2/notifications, which does not exist. advertised_test.go walks
// every endpoint the advertised version implies and fails on one that is
// not served; raise this only together with that table's endpoints.
//
// 2.4.3 is the highest version whose every endpoint is served (2.5.0 adds
// endorsements): apps told less than 2.4 call the removed /api/v1/search
// instead of /api/v2/search.
const compatVersion = "2.4.3"

// compatAPIVersion is api_versions.mastodon. 0 leaves the field out, as a
// Mastodon before 4.3 does; API version 2 (4.3) implies grouped
// notifications, which are served (notifications_v2.go), so apps that
// look for them (Phanpy, Ice Cubes) find them without the rest of 4.3
// being claimed.
const compatAPIVersion = 2

// instanceVersion is the version string clients parse: the Mastodon version
// first (clients read the leading x.y.z), then ours.
func instanceVersion(starling string) string {
	return compatVersion + " (compatible; Starling " + starling + ")"
}

// apiVersions is the instance's api_versions, nil (left out) before 4.3.
func apiVersions() map[string]int {
	if compatAPIVersion == 0 {
		return nil
	}
	return map[string]int{"mastodon": compatAPIVersion}
}
