"""masking: known secrets (raw and URL-encoded) and secret-shaped values are masked in text and trees."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from s3tester.masking import MASK, MIN_SECRET, Masker
from s3tester.suite.models import Credential

SECRET = "S3cr3t+Zebra/Quokka=42"


def test_a_secret_is_masked_raw_and_url_encoded() -> None:
    masker = Masker([SECRET])
    assert masker.mask(f"key {SECRET} twice {SECRET}") == f"key {MASK} twice {MASK}"
    encoded = quote(SECRET, safe="")
    assert encoded != SECRET
    assert masker.mask(f"https://h/b/k?token={encoded}&x=1") == f"https://h/b/k?token={MASK}&x=1"
    assert masker.mask("nothing secret here") == "nothing secret here"


def test_short_and_empty_secrets_are_ignored() -> None:
    short = "a" * (MIN_SECRET - 1)
    masker = Masker([short, "", None])
    assert masker.mask(f"{short} banana") == f"{short} banana"
    masker.add("a" * MIN_SECRET)
    assert masker.mask("a" * MIN_SECRET + " banana") == f"{MASK} banana"


def test_the_longest_secret_wins_when_one_contains_another() -> None:
    masker = Masker(["abcd", "abcdefgh"])
    assert masker.mask("x abcdefgh y abcd") == f"x {MASK} y {MASK}"


def test_for_credentials_masks_secret_keys_and_tokens_not_access_keys() -> None:
    creds = [Credential.of("AKIDMAIN", "mainsecret1", "sessiontoken1"), Credential.of("AKIDALT", "altsecret2")]
    masker = Masker.for_credentials(creds)
    text = "AKIDMAIN mainsecret1 sessiontoken1 AKIDALT altsecret2"
    assert masker.mask(text) == f"AKIDMAIN {MASK} {MASK} AKIDALT {MASK}"


@pytest.mark.parametrize(
    "name", ["X-Amz-Signature", "X-Amz-Credential", "X-Amz-Security-Token", "Signature", "AWSAccessKeyId",
             "x-amz-security-token"],
)
def test_secrets_in_query_strings_are_masked_whatever_their_value(name: str) -> None:
    url = f"http://127.0.0.1:9000/b/k?X-Amz-Expires=60&{name}=Zm9vYmFy%2Fbaz&part=2"
    assert Masker().mask(url) == f"http://127.0.0.1:9000/b/k?X-Amz-Expires=60&{name}={MASK}&part=2"


def test_authorization_headers_are_masked() -> None:
    masker = Masker()
    header = "Authorization: AWS AKIDEXAMPLE:frJIUN8DYpKDtOLCwo"
    assert masker.mask(header) == f"Authorization: {MASK}"
    as_repr = "{'Host': 'h', 'Authorization': 'AWS4-HMAC-SHA256 Credential=AKID/2026/s3', 'X': 'y'}"
    assert masker.mask(as_repr) == f"{{'Host': 'h', 'Authorization': '{MASK}', 'X': 'y'}}"
    sigv4 = "authorization=AWS4-HMAC-SHA256 Credential=AKID/x, SignedHeaders=host, Signature=0123abcd"
    masked = masker.mask(sigv4)
    assert "AKID" not in masked and "0123abcd" not in masked


def test_url_userinfo_is_masked() -> None:
    masker = Masker()
    assert masker.mask("proxy http://user:pa55word@proxy.local:3128/x") == f"proxy http://{MASK}@proxy.local:3128/x"
    assert masker.mask("https://USER:p@h/") == f"https://{MASK}@h/"
    assert masker.mask("http://h:9000/bucket") == "http://h:9000/bucket"


def test_mask_tree_walks_dicts_lists_tuples_and_sets() -> None:
    masker = Masker([SECRET])
    tree = {
        "body": f"has {SECRET}",
        "nested": [{"url": "http://h/k?X-Amz-Signature=abc"}, (SECRET, 3)],
        "tags": {SECRET},
        "count": 7, "ratio": 0.5, "ok": True, "none": None,
        5: "numeric key",
    }
    assert masker.mask_tree(tree) == {
        "body": f"has {MASK}",
        "nested": [{"url": f"http://h/k?X-Amz-Signature={MASK}"}, [MASK, 3]],
        "tags": [MASK],
        "count": 7, "ratio": 0.5, "ok": True, "none": None,
        "5": "numeric key",
    }


def test_mask_tree_masks_other_objects_by_their_text() -> None:
    class Opaque:
        def __str__(self) -> str:
            return f"Opaque({SECRET})"

    assert Masker([SECRET]).mask_tree(Opaque()) == f"Opaque({MASK})"
    assert Masker([SECRET]).mask_tree(b"bytes") == "b'bytes'"


# -- keys, encodings, shapes, and masking before cutting ---------------------------------

TOKEN300 = "Tk" + "".join(chr(ord("a") + i % 26) for i in range(298))


@pytest.mark.parametrize("key", ["Authorization", "x-amz-security-token", "policy", "x-amz-signature",
                                 "x-amz-credential", "SSECustomerKey", "x-amz-server-side-encryption-customer-key"])
def test_values_are_masked_by_their_key_name(key: str) -> None:
    assert Masker().mask_tree({key: "opaque-value-123", "Key": "k"}) == {key: MASK, "Key": "k"}


def test_a_bucket_policy_document_is_not_a_secret() -> None:
    assert Masker().mask_tree({"Policy": '{"Version": "2012-10-17"}'}) == {"Policy": '{"Version": "2012-10-17"}'}


def test_keys_are_masked_too() -> None:
    assert Masker([SECRET]).mask_tree({SECRET: 1}) == {MASK: 1}


@pytest.mark.parametrize("form", [
    lambda s: s,
    lambda s: quote(s, safe=""),
    lambda s: quote(quote(s, safe=""), safe=""),
    lambda s: __import__("urllib.parse").parse.quote_plus(s),
    lambda s: __import__("json").dumps({"t": s}),
    lambda s: repr({"t": s}),
])
def test_every_encoding_of_a_secret_is_masked(form: object) -> None:
    text = form(SECRET)  # type: ignore[operator]
    assert "Zebra" not in Masker([SECRET]).mask(f"echo {text} done")


@pytest.mark.parametrize("pad", ["", "x", "xy"])
def test_base64_of_a_secret_inside_other_text_is_masked(pad: str) -> None:
    import base64

    blob = base64.b64encode(f'{pad}{{"conditions": [{{"x-amz-security-token": "{TOKEN300}"}}]}}'.encode()).decode()
    masked = Masker([TOKEN300]).mask(f"policy={blob}")
    masked_shapeless = Masker([TOKEN300]).mask(f"echoed {blob}")
    assert blob not in masked and blob not in masked_shapeless
    inner = base64.b64encode(TOKEN300[3:63].encode()).decode()[:20]
    assert inner not in masked_shapeless


def test_masking_comes_before_cutting() -> None:
    masker = Masker([TOKEN300])
    cut = masker.mask_tree({"actual": f"got {TOKEN300}"}, limit=50)
    assert cut == {"actual": f"got {MASK}"}
    long = masker.mask_tree("x" * 100 + TOKEN300, limit=60)
    assert len(long) == 60 and "Tkab" not in long


def test_presigned_post_fields_in_text_are_masked() -> None:
    text = "{'url': 'http://h/b', 'fields': {'key': 'k', 'policy': 'eyJleHAi', 'x-amz-signature': 'abc123', 'x-amz-credential': 'AKID/x', 'x-amz-security-token': 'tok'}}"
    masked = Masker().mask(text)
    for value in ("eyJleHAi", "abc123", "AKID/x", "'tok'"):
        assert value not in masked
    assert "'key': 'k'" in masked


def test_url_encoded_query_secrets_are_masked() -> None:
    url = "next=http%3A%2F%2Fh%2Fb%3FX-Amz-Signature%3Ddeadbeef%26a%3D1"
    assert "deadbeef" not in Masker().mask(url)
    assert "beefcafe" not in Masker().mask(url.replace("%3D", "%253D").replace("deadbeef", "beefcafe"))


def test_endpoint_userinfo_is_masked_everywhere() -> None:
    masker = Masker.for_credentials([], "http://admin:Hunter2Secret@h:9000")
    assert "Hunter2" not in masker.mask("bad password Hunter2Secret and http%3A%2F%2Fadmin%3AHunter2Secret%40h")
    assert Masker().mask("http://user@host/") == f"http://{MASK}@host/"


def test_sse_c_keys_are_masked() -> None:
    text = "x-amz-server-side-encryption-customer-key: c2VjcmV0a2V5MzJieXRlc2xvbmcxMjM0NTY3OA=="
    assert "c2VjcmV0" not in Masker().mask(text)


def test_a_secret_cut_by_someone_else_is_still_masked() -> None:
    masker = Masker([TOKEN300])
    cut = f"first bytes: b'garbage {TOKEN300[:30]}'"
    assert masker.mask(cut) == f"first bytes: b'garbage {MASK}'"
    assert masker.mask(TOKEN300[:7]) == TOKEN300[:7]  # too short a piece to tell


def test_the_shipped_profiles_secrets_mask_nothing_but_themselves() -> None:
    """A profile's example secret must not share its first characters with words s3tester
    prints (the prefix rule would turn the `s3tester/0.1.0` User-Agent into `***`)."""
    from s3tester.servers.catalog import list_profiles

    line = "User-Agent: Botocore/1.44.8 s3tester/0.1.0; rerun: s3tester run suites/v1 -g objects/alt-main"
    for profile in list_profiles():
        secrets = [c.secret_key.get_secret_value() for c in profile.credentials.values()]
        masker = Masker([s for s in secrets if "${" not in s])
        assert masker.mask(line) == line, profile.name
