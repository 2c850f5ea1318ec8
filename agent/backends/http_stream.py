"""The wire to an OpenAI-compatible `/v1/completions` endpoint, below `HttpBackend`.

Opening a streamed request (retrying only what is safe to retry: nothing was received yet),
decoding its server-sent events, and turning the server's error bodies into one message that
says what to do. `HttpBackend` decides what to ask and how to read the answer; this module only
carries it. The API key is read from its environment variable at each request, never kept.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx

from agent.errors import BackendError

RETRY_STATUS = frozenset({429, 502, 503, 504})
DONE: dict[str, Any] = {}  # the `[DONE]` sentinel, compared by identity


class DeadlinePassed(Exception):
    """The caller's deadline passed while waiting for the server: an end, not an error."""


def server_message(response: httpx.Response) -> str:
    """The server's own explanation from an error response body, as short plain text."""
    try:
        body = response.read()
    except httpx.HTTPError:
        return ""
    text = body.decode("utf-8", errors="replace").strip()
    try:
        data = json.loads(text)
    except ValueError:
        return text[:500]
    return message_of(data) or text[:500]


def message_of(data: Any) -> str:
    """Dig the message out of the error shapes servers use (OpenAI, FastAPI, TGI)."""
    if isinstance(data, dict):
        err = data.get("error")
        if isinstance(err, dict) and err.get("message"):
            return str(err["message"])
        if isinstance(err, str):
            return err
        for key in ("message", "detail"):
            if data.get(key):
                value = data[key]
                return value if isinstance(value, str) else json.dumps(value)[:500]
    return ""


def completions_url(base_url: str) -> str:
    """The completions endpoint for a server root (`http://h:8000`) or its `/v1` prefix."""
    root = base_url.rstrip("/")
    if root.endswith("/completions"):
        return root
    if root.endswith("/v1"):
        return root + "/completions"
    return root + "/v1/completions"


class ClientError(BackendError):
    """The server refused the request as malformed (400, 422)."""


def checked(data: Any, url: str) -> dict[str, Any]:
    """An event as a dict, or the error the server reported inside the stream."""
    if not isinstance(data, dict):
        raise BackendError(f"{url} sent an event that is not a JSON object: {str(data)[:200]!r}")
    if data.get("error") or (data.get("object") == "error"):
        raise BackendError(f"{url} reported an error mid-stream: {message_of(data) or data}")
    return data


def retry_after_seconds(response: httpx.Response) -> float | None:
    """Seconds from a Retry-After header (capped at 30 s), if the server sent a number."""
    value = response.headers.get("retry-after")
    try:
        return min(30.0, max(0.0, float(value))) if value is not None else None
    except ValueError:
        return None


@dataclass(frozen=True)
class Endpoint:
    """One completions endpoint and how to talk to it; cheap, made per request."""

    client: httpx.Client
    url: str
    timeout: float
    retries: int
    backoff: float
    api_key_env: str

    def headers(self) -> dict[str, str]:
        headers = {"Accept": "text/event-stream"}
        key = os.environ.get(self.api_key_env)
        if key:
            headers["Authorization"] = f"Bearer {key}"
        return headers

    def open(self, body: dict[str, Any], deadline: float | None) -> httpx.Response:
        """Send the request and return the open response; retry only what is safe to retry."""
        attempt = 0
        while True:
            timeout = self.timeout
            if deadline is not None:
                timeout = max(0.05, min(timeout, deadline - time.monotonic()))
            request = self.client.build_request(
                "POST", self.url, json=body, headers=self.headers(), timeout=timeout
            )
            retry_after: float | None = None
            try:
                response = self.client.send(request, stream=True)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                problem = (
                    f"cannot connect to {self.url} ({exc or type(exc).__name__}); "
                    "is the server running and is --base-url right?"
                )
            except (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError) as exc:
                # A pooled connection the server had already dropped, typically; nothing was
                # received, and a completion has no side effects, so asking again is safe.
                problem = f"the connection to {self.url} broke before an answer ({exc or type(exc).__name__})"
            except httpx.TimeoutException as exc:
                if deadline is not None and time.monotonic() >= deadline:
                    raise DeadlinePassed from exc
                raise BackendError(
                    f"{self.url} did not answer within {timeout:g} s ({type(exc).__name__}); "
                    "raise the timeout or check the server's load"
                ) from exc
            except httpx.HTTPError as exc:
                raise BackendError(f"request to {self.url} failed: {exc or type(exc).__name__}") from exc
            else:
                if response.status_code < 400:
                    return response
                message = server_message(response)
                response.close()
                problem = f"{self.url} answered HTTP {response.status_code}" + (
                    f": {message}" if message else ""
                )
                if response.status_code in (401, 403):
                    problem += (
                        f"; set the API key in the environment variable {self.api_key_env}"
                        + (" (it is set: check its value)" if os.environ.get(self.api_key_env) else "")
                    )
                elif response.status_code == 404:
                    problem += "; check --base-url (the server root or its /v1) and --model"
                if response.status_code not in RETRY_STATUS:
                    raise (ClientError if response.status_code in (400, 422) else BackendError)(problem)
                retry_after = retry_after_seconds(response)
            if attempt >= self.retries:
                raise BackendError(f"{problem} (tried {attempt + 1} times)")
            pause = retry_after if retry_after is not None else self.backoff * 2**attempt
            if deadline is not None and time.monotonic() + pause >= deadline:
                raise BackendError(f"{problem} (the deadline leaves no time to retry)")
            time.sleep(pause)
            attempt += 1

    def events(self, response: httpx.Response, deadline: float | None) -> Iterator[dict[str, Any] | None]:
        """Decode the SSE stream into JSON events; None when the deadline has passed.

        A server that ignored `stream: true` and answered with one JSON body is accepted too.
        """
        if "application/json" in response.headers.get("content-type", ""):
            try:
                data = json.loads(response.read())
            except ValueError as exc:
                raise BackendError(f"{self.url} answered with invalid JSON: {exc}") from exc
            yield checked(data, self.url)
            return
        for line in response.iter_lines():
            if deadline is not None and time.monotonic() >= deadline:
                yield None
                return
            if not line.startswith("data:"):
                continue  # comments, `event:` and `id:` fields, keep-alives, blank separators
            payload = line[5:].strip()
            if payload == "[DONE]":
                yield DONE
                return
            try:
                data = json.loads(payload)
            except ValueError as exc:
                raise BackendError(
                    f"{self.url} sent an event that is not JSON ({payload[:200]!r}); "
                    "is this an OpenAI-compatible completions endpoint?"
                ) from exc
            yield checked(data, self.url)
