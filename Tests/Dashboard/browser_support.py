"""What the dashboard checks share: the API called directly, Chromium's noise that is not the page's,
and the closing verdict."""
import json
import ssl
import urllib.request


def call(base_url, method, path, body=None, token=None):
    """The API without the browser (setting up accounts and data), trusting the stack's own certificate."""
    request = urllib.request.Request(base_url + "/api/v1" + path, data=None if body is None else json.dumps(body).encode(), method=method,
                                     headers={"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})})
    with urllib.request.urlopen(request, context=ssl._create_unverified_context()) as response:
        return json.load(response) if response.status != 204 else None


def host_network_event(text):
    """Chromium reports the host's network changing (podman adding a bridge for a model's container) as
    a failed load; that is the machine's doing, not the page's."""
    return "ERR_NETWORK_CHANGED" in text


def verdict(problems, name):
    """Prints the problems, or that the check passed; the exit status to return."""
    if problems:
        print("\n".join(problems))
        return 1
    print(f"{name} check passed")
    return 0
