# Seeds a running starling like `starling-bench http` does (200 accounts x 50
# follows x 20 statuses through the API) and writes the tokens, one a line.
import json, random, sys, urllib.parse, urllib.request
from concurrent.futures import ThreadPoolExecutor
base, out = sys.argv[1], sys.argv[2]
A, F, S = 200, 50, 20
def call(path, token=None, form=None, method=None):
    data = urllib.parse.urlencode(form, doseq=True).encode() if form is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    if token: req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req) as r: return json.loads(r.read())
app = call("/api/v1/apps", form={"client_name": "bench", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob", "scopes": "read write"})
at = call("/oauth/token", form={"grant_type": "client_credentials", "client_id": app["client_id"], "client_secret": app["client_secret"], "scope": "read write"})["access_token"]
def reg(i):
    t = call("/api/v1/accounts", at, {"username": f"bench{i}", "password": "correct-horse-battery", "email": f"bench{i}@example.com", "agreement": "true"})["access_token"]
    return t, call("/api/v1/accounts/verify_credentials", t)["id"]
with ThreadPoolExecutor(8) as ex: accts = list(ex.map(reg, range(A)))
r = random.Random(14)
pairs = [(i, j) for i in range(A) for j in r.sample([k for k in range(A) if k != i], F)]
with ThreadPoolExecutor(8) as ex: list(ex.map(lambda p: call(f"/api/v1/accounts/{accts[p[1]][1]}/follow", accts[p[0]][0], {}), pairs))
with ThreadPoolExecutor(8) as ex: list(ex.map(lambda k: call("/api/v1/statuses", accts[k % A][0], {"status": f"status {k//A} of bench{k%A}, a few words long like a real post #bench"}), range(A*S)))
for t, _ in accts: assert len(call("/api/v1/timelines/home?limit=20", t)) == 20
open(out, "w").write("\n".join(t for t, _ in accts) + "\n")
