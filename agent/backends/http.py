"""A backend that drives a model server over the OpenAI-compatible `/v1/completions` endpoint.

vLLM, TGI, SGLang and llama.cpp's servers all speak it: raw prompt text in, streamed text out
over server-sent events. The client keeps no KV cache; instead it resends the whole transcript
on every call, byte-identical to what it sent before plus what was appended since, so that the
server's prefix cache can reuse the earlier segments (only new text is prefilled).

What the server may get wrong is checked here, not trusted:

- Stop strings are enforced on the client too. A server that ignores `stop` is cut off at the
  first stop string (the stream is closed, which servers take as a cancel).
- The OpenAI format does not say *which* stop string ended a completion, nor whether
  `finish_reason == "stop"` was a stop string or end-of-sequence. vLLM says so in `stop_reason`;
  for the others the backend asks the server for the next few tokens with no stop strings
  (greedy, and cheap because the prefix is cached) and reads the stop string off them.
- Failures raise `agent.errors.BackendError` with the cause and what to do: connection refused,
  timeouts, HTTP 4xx/5xx with the server's own message, a stream cut in the middle, a malformed
  event. After an error the transcript is exactly what it was before the failed `generate`
  (nothing half-received is kept), so the loop can report it and the session stays consistent.
- Retries with backoff happen only before any text was received: connection refused or a
  connect timeout, and HTTP 429/502/503/504. A completion has no side effects, so repeating a
  request that produced nothing is safe; a stream that broke after text arrived is not resumed,
  because the consumer has already been shown part of it.

The API key is read from an environment variable at each request and sent as a bearer token.
It is never stored on the object, never put in an error message and never in the transcript.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Iterator, Sequence
from typing import Any

import httpx

from agent.backends.base import Constraint, FinishReason, GenerationEnd, TextTranscript, TokenStream
from agent.backends.http_stream import DONE, ClientError, DeadlinePassed, Endpoint, completions_url
from agent.backends.stops import StopScanner
from agent.errors import BackendError

DEFAULT_API_KEY_ENV = "MOSS_AGENT_API_KEY"
PROBE_STEP = 2  # tokens per stop-string probe request; one or two tell the stop strings apart


class HttpBackend(TextTranscript):
    """A model behind an OpenAI-compatible `/v1/completions` server (vLLM, TGI, llama.cpp).

    `base_url` is the server root or its `/v1`; `model` is the name the server knows the model
    by. `timeout` bounds connecting and each wait for the next streamed piece (so it is also the
    longest time-to-first-token accepted). `temperature` 0 is greedy, the same choice the local
    backends make, so outputs can be compared across backends. `extra_body` adds
    server-specific fields to every request: llama-cpp-python's server applies a repeat penalty
    of 1.1 unless sent `{"repeat_penalty": 1.0}`, so plain greedy output needs that there.
    """

    name = "http"

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key_env: str = DEFAULT_API_KEY_ENV,
        timeout: float = 120.0,
        temperature: float = 0.0,
        retries: int = 2,
        backoff: float = 0.5,
        probe_stops: bool = True,
        extra_body: dict[str, Any] | None = None,
        grammar_field: str | None = "grammar",
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.model_name = model  # as the server names it; for logs and the framing choice
        if not base_url.startswith(("http://", "https://")):
            raise BackendError(
                f"base URL {base_url!r} is not an http(s) URL; pass the server root, "
                "e.g. --base-url http://127.0.0.1:8000"
            )
        self.base_url = base_url
        self.url = completions_url(base_url)
        self.model = model
        self.api_key_env = api_key_env
        self.timeout = timeout
        self.temperature = temperature
        self.retries = retries
        self.backoff = backoff
        self.probe_stops = probe_stops
        self.extra_body = dict(extra_body or {})
        self.grammar_field = grammar_field
        self._client = httpx.Client(transport=transport, timeout=timeout)
        self._owns_client = True
        self._transcript = ""

    def __repr__(self) -> str:  # the key is never part of it; only the variable's name is
        return f"HttpBackend(url={self.url!r}, model={self.model!r}, api_key_env={self.api_key_env!r})"

    def close(self) -> None:
        """Close the connection pool (the server keeps running; it is not ours)."""
        if self._owns_client:
            self._client.close()

    def spawn(self) -> HttpBackend:
        """Another backend for the same server and settings with an empty transcript, sharing
        this one's connection pool: the agent gives each turn one, so turns of different
        conversations run at once and the server batches them. Closing it closes nothing."""
        twin = copy.copy(self)
        twin._owns_client = False
        twin._transcript = ""
        return twin

    def __enter__(self) -> HttpBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- generation -------------------------------------------------------------------------

    def generate(
        self,
        stop: Sequence[str],
        max_new_tokens: int,
        deadline: float | None = None,
        *,
        temperature: float | None = None,
        constraint: Constraint | None = None,
    ) -> TokenStream:
        """Stream a completion of the transcript; see `agent.backends.base.Backend.generate`.

        A `constraint` goes to the server as a GBNF grammar in the `grammar_field` of the
        request (llama.cpp's servers read `grammar`); a server that refuses the field with a
        4xx is asked again without it, and not sent it again: the tolerant parser reads what it
        writes. On `BackendError` the transcript is restored to what it was before this call.
        When the consumer closes the iterator early, the transcript keeps the text received so far.
        """
        before = self._transcript
        started = time.monotonic()
        stops = [s for s in stop if s]
        scanner = StopScanner(stops)
        if max_new_tokens <= 0:
            yield GenerationEnd(reason="length", text="", seconds=0.0)
            return
        body = self._body(before, max_new_tokens, self.temperature if temperature is None else temperature)
        if stops:
            body["stop"] = stops
        if constraint is not None and self.grammar_field:
            body[self.grammar_field] = constraint.gbnf()
        pieces = 0
        usage: dict[str, Any] = {}
        finish: str | None = None
        vllm_stop: Any = None
        has_stop_reason = False
        received = 0
        events = 0
        try:
            try:
                if deadline is not None and time.monotonic() >= deadline:
                    raise DeadlinePassed
                response = self._open_with_grammar(body, deadline)
            except DeadlinePassed:
                yield GenerationEnd(reason="deadline", text="", seconds=time.monotonic() - started)
                return
            try:
                for event in self._events(response, deadline):
                    events += 1
                    if event is None:  # the deadline passed while streaming
                        finish = "deadline"
                        break
                    if event is DONE:  # `[DONE]` with no finish_reason before it
                        finish = "eos"
                        break
                    if isinstance(event.get("usage"), dict):
                        usage = event["usage"]
                    for choice in event.get("choices") or ():
                        text = choice.get("text") or ""
                        if text:
                            pieces += 1
                            received += len(text)
                            shown = scanner.feed(text)
                            self._transcript += shown
                            if shown:
                                yield shown
                        if "stop_reason" in choice:
                            has_stop_reason = True
                            vllm_stop = choice["stop_reason"]
                        if choice.get("finish_reason"):
                            finish = str(choice["finish_reason"])
                    if scanner.stopped or finish is not None:
                        break
                else:
                    if finish is None and events == 0:
                        response.close()
                        raise BackendError(self._diagnose_empty_stream(body, deadline))
                    if finish is None:
                        raise BackendError(
                            f"the stream from {self.url} ended after {received} characters "
                            "without a finish_reason (the server closed it early or crashed); "
                            "check the server's log, then retry"
                        )
            except httpx.TimeoutException as exc:
                if deadline is not None and time.monotonic() >= deadline:
                    finish = "deadline"
                else:
                    raise BackendError(
                        f"{self.url} sent nothing for {self.timeout:g} s after "
                        f"{received} characters ({type(exc).__name__}); the server may be "
                        "overloaded or the prompt too long to prefill in time: raise the "
                        "timeout or check the server"
                    ) from exc
            except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
                raise BackendError(
                    f"the stream from {self.url} was cut after {received} characters "
                    f"({exc or type(exc).__name__}); check the server's log, then retry"
                ) from exc
            finally:
                response.close()  # also cancels generation on a server that ignored `stop`

            reason: FinishReason
            if scanner.stopped:
                reason = "stop"
            elif finish == "length":
                reason = "length"
            elif finish == "deadline":
                reason = "deadline"
            else:  # "stop", "eos" or a server's own word for the end of sequence
                rest = scanner.flush()
                self._transcript += rest
                if rest:
                    yield rest
                try:
                    reason, which = self._which_stop(finish, stops, has_stop_reason, vllm_stop, deadline)
                except DeadlinePassed:
                    reason, which = "deadline", None  # no time left to ask which end it was
                if which is not None:
                    scanner.stop = which
            if reason == "stop" and scanner.stop is not None:
                self._transcript += scanner.stop
            elif reason in ("length", "deadline"):
                rest = scanner.flush()
                self._transcript += rest
                if rest:
                    yield rest
        except BackendError:
            self._transcript = before
            raise
        except GeneratorExit:
            self._transcript += scanner.flush()
            raise
        yield GenerationEnd(
            reason=reason,
            text=scanner.text,
            stop=scanner.stop if reason == "stop" else None,
            new_tokens=int(usage.get("completion_tokens") or pieces),
            prompt_tokens=int(usage.get("prompt_tokens") or 0),
            seconds=time.monotonic() - started,
        )

    def _open_with_grammar(self, body: dict[str, Any], deadline: float | None) -> httpx.Response:
        """`_open`; a server that refuses the grammar field is asked again without it, once."""
        field = self.grammar_field
        try:
            return self._open(body, deadline)
        except ClientError:
            if field is None or field not in body:
                raise
            self.grammar_field = None  # this server does not take grammars: stop sending them
            return self._open({k: v for k, v in body.items() if k != field}, deadline)

    def _diagnose_empty_stream(self, body: dict[str, Any], deadline: float | None) -> str:
        """Why a server closed a stream without a single event: ask again without streaming.

        Some servers (llama-cpp-python's among them) validate the request only once the stream
        has started, so an over-long prompt yields an empty 200 stream; the same request
        without streaming gets the server's real answer, typically a 400 with its message.
        """
        problem = f"{self.url} closed the stream without sending anything"
        try:
            response = self._open({**body, "stream": False}, deadline)
        except DeadlinePassed:
            return f"{problem}; check the server's log"
        except BackendError as exc:
            return f"{problem}; asked again without streaming: {exc}"
        response.close()
        return f"{problem}, and answers normally without streaming; check the server's log, then retry"

    def _which_stop(
        self,
        finish: str | None,
        stops: Sequence[str],
        has_stop_reason: bool,
        vllm_stop: Any,
        deadline: float | None,
    ) -> tuple[FinishReason, str | None]:
        """Decide between "a stop string ended it (which one)" and "end of sequence"."""
        if finish not in ("stop", "stop_sequence") or not stops:  # TGI says "stop_sequence"
            return "eos", None  # "eos_token" (TGI), "[DONE]" with no reason, or no stops sent
        if has_stop_reason:  # vLLM: the stop string, or a token id / None for end of sequence
            return ("stop", vllm_stop) if vllm_stop in stops else ("eos", None)
        if not self.probe_stops:
            return "stop", stops[0]
        following = self._probe(stops, deadline)
        if not following:
            return "eos", None
        whole = [s for s in stops if following.startswith(s)]
        if whole:
            return "stop", max(whole, key=len)
        partial = [s for s in stops if s.startswith(following)]
        if partial:
            return "stop", min(partial, key=len)
        found = [(following.find(s), s) for s in stops if s in following]
        return "stop", min(found)[1] if found else stops[0]

    def _body(self, prompt: str, max_tokens: int, temperature: float) -> dict[str, Any]:
        """A streamed completion request: the caller's `extra_body` first, so that what the
        turn needs (prompt, length, temperature) always wins over it."""
        return {**self.extra_body, "model": self.model, "prompt": prompt, "max_tokens": max_tokens,
                "temperature": temperature, "stream": True}

    def _probe(self, stops: Sequence[str], deadline: float | None) -> str:
        """The greedy continuation right after the text received, read only as far as needed.

        The server stopped either at a stop string it does not name or at end-of-sequence; the
        next tokens tell which: none (end of sequence), or the start of one stop string. The
        prompt is a prefix of the one just sent, so the server's prefix cache makes this a
        couple of decode steps. It asks for `PROBE_STEP` tokens at a time and reads each answer
        to its end rather than closing the stream once the answer is clear: a server with
        several slots (llama.cpp's) frees a cancelled request's slot only on a later pass of its
        loop, so the turn's next request would land in another slot and prefill the whole
        transcript again (seen: 25 s instead of 1 s on 2 cores).
        """
        longest = max(len(s) for s in stops)
        following = ""
        while len(following) < longest:
            body = self._body(self._transcript + following, min(PROBE_STEP, longest - len(following)), 0.0)
            text, finish = "", None
            response = self._open(body, deadline)
            try:
                for event in self._events(response, deadline):
                    if event is None or event is DONE:
                        break
                    for choice in event.get("choices") or ():
                        text += choice.get("text") or ""
                        finish = choice.get("finish_reason") or finish
            except httpx.HTTPError as exc:
                raise BackendError(
                    f"{self.url} failed while the backend asked which stop string ended the text "
                    f"({exc or type(exc).__name__}); retry, or pass probe_stops=False to assume the "
                    "first stop string"
                ) from exc
            finally:
                response.close()
            following += text
            if not text or finish != "length":
                break  # end of sequence, or the server said no more
            if not any(s.startswith(following) and len(s) > len(following) for s in stops):
                break  # no stop string could still grow out of what followed: decided
        return following

    def _endpoint(self) -> Endpoint:
        return Endpoint(self._client, self.url, self.timeout, self.retries, self.backoff, self.api_key_env)

    def _open(self, body: dict[str, Any], deadline: float | None) -> httpx.Response:
        return self._endpoint().open(body, deadline)

    def _events(self, response: httpx.Response, deadline: float | None) -> Iterator[dict[str, Any] | None]:
        return self._endpoint().events(response, deadline)
