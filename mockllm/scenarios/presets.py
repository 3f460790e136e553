"""Provider error presets, named by symptom: the status, body fields and headers real APIs send.

`error: rate_limited` in a scenario (or `error: {preset: rate_limited, ...}` with
overrides) uses one of these. Messages may hold `{{model}}`, filled per request.
Sources: OpenAI (rate limits, quota, keys, context length, 500, the Cloudflare
502/503 bodies), Azure OpenAI (content filter), DeepSeek (402 insufficient
balance), Anthropic (529 overloaded); for their own versions, Anthropic's API,
the Gemini API, the Ollama server and Cohere's API.

`PRESETS` are the symptoms as OpenAI-compatible services send them. Where
another provider sends a symptom differently (another status, error type,
message or headers), `PROVIDER_PRESETS[provider][name]` is that provider's own
`Preset`; the provider is the name its dialect declares (`Dialect.provider`).
The `Error` an error step makes carries one variant per provider
(`Error.variants`), and each dialect shapes `error.sent_by(its provider)`.
A preset's `extra` strings may hold `{{model}}` too. A variant whose status is
below 400 is not an error there: the provider answers that symptom with a
normal response, and its `extra` fields are that response's (Gemini blocks a
prompt with a 200 whose `promptFeedback` says why).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from mockllm.scenarios.strict_model import did_you_mean


@dataclass(frozen=True)
class Preset:
    """One provider error: what the service sends, and what a client should do about it."""

    status: int
    message: str
    type: str | None
    code: int | str | None = None
    param: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)
    source: str = "OpenAI"
    advice: str = ""


#: The provider whose error shape `PRESETS` have.
BASE_PROVIDER = "OpenAI"

NO_PRESET = Preset(500, "", None)
"""What an `error` step without a preset starts from."""

_RATE_LIMIT_HEADERS = {
    "retry-after": "1",
    "retry-after-ms": "120",
    "x-ratelimit-limit-requests": "500",
    "x-ratelimit-limit-tokens": "200000",
    "x-ratelimit-remaining-requests": "0",
    "x-ratelimit-remaining-tokens": "199975",
    "x-ratelimit-reset-requests": "120ms",
    "x-ratelimit-reset-tokens": "7ms",
}

_AZURE_FILTER_RESULT = {
    "hate": {"filtered": False, "severity": "safe"},
    "jailbreak": {"filtered": False, "detected": False},
    "self_harm": {"filtered": False, "severity": "safe"},
    "sexual": {"filtered": False, "severity": "safe"},
    "violence": {"filtered": True, "severity": "medium"},
}

PRESETS: Mapping[str, Preset] = MappingProxyType(
    {
        "rate_limited": Preset(
            429,
            "Rate limit reached for {{model}} in organization org-mockllm on requests per min (RPM): "
            "Limit 500, Used 500, Requested 1. Please try again in 120ms. "
            "Visit https://platform.openai.com/account/rate-limits to learn more.",
            "requests",
            "rate_limit_exceeded",
            headers=_RATE_LIMIT_HEADERS,
            advice="Wait as long as `retry-after-ms` (else `retry-after`) says, then retry; show progress, not an error.",
        ),
        "insufficient_quota": Preset(
            429,
            "You exceeded your current quota, please check your plan and billing details. For more information "
            "on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.",
            "insufficient_quota",
            "insufficient_quota",
            advice="Do not retry (it cannot succeed until someone pays); tell the user the account is out of credit.",
        ),
        "insufficient_balance": Preset(
            402,
            "Insufficient Balance",
            "unknown_error",
            "invalid_request_error",
            source="DeepSeek",
            advice="Do not retry; tell the user to top up (余额不足). 402 is not retried by the official SDKs.",
        ),
        "invalid_api_key": Preset(
            401,
            "Incorrect API key provided: sk-mock************************************1234. "
            "You can find your API key at https://platform.openai.com/account/api-keys.",
            "invalid_request_error",
            "invalid_api_key",
            advice="Do not retry; ask for a valid key (or sign the user in again).",
        ),
        "content_filter": Preset(
            400,
            "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. "
            "Please modify your prompt and retry. To learn more about our content filtering policies please read "
            "our documentation: https://go.microsoft.com/fwlink/?linkid=2198766",
            None,
            "content_filter",
            "prompt",
            extra={
                "type": None,
                "status": 400,
                "innererror": {"code": "ResponsibleAIPolicyViolation", "content_filter_result": _AZURE_FILTER_RESULT},
            },
            source="Azure OpenAI",
            advice="Do not retry the same prompt; ask the user to rephrase.",
        ),
        "context_length_exceeded": Preset(
            400,
            "This model's maximum context length is 128000 tokens. However, your messages resulted in "
            "131072 tokens. Please reduce the length of the messages.",
            "invalid_request_error",
            "context_length_exceeded",
            "messages",
            advice="Do not retry as is; drop or summarise older messages, then send again.",
        ),
        "server_error": Preset(
            500,
            "The server had an error while processing your request. Sorry about that!",
            "server_error",
            advice="Retry with backoff a few times, then show a retry button.",
        ),
        "bad_gateway": Preset(
            502,
            "Bad gateway.",
            "cf_bad_gateway",
            502,
            advice="Retry with backoff; it is the provider's edge, not your request.",
        ),
        "unavailable": Preset(
            503,
            "Service Unavailable.",
            "cf_service_unavailable",
            503,
            advice="Retry with backoff; point the user at the provider's status page if it lasts.",
        ),
        "overloaded": Preset(
            529,
            "Overloaded",
            "overloaded_error",
            source="Anthropic",
            advice="Retry with backoff, or fall back to another model.",
        ),
    }
)


_ANTHROPIC_LOW_CREDIT = (
    "Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits."
)


def _anthropic(status: int, kind: str, message: str, headers: Mapping[str, str] | None = None) -> Preset:
    """A symptom as Anthropic sends it: `status`, error type `kind`, `message` (and headers)."""
    return Preset(status, message, kind, headers=headers or {}, source="Anthropic")


def _gemini(status: int, message: str, *details: Mapping[str, Any]) -> Preset:
    """A symptom as the Gemini API sends it: `status`, `message` and the `google.rpc` `details` (none: no `details` field)."""
    return Preset(status, message, None, extra={"details": list(details)}, source="Gemini")


#: The `google.rpc.Help` detail the Gemini API sends with every quota 429.
GEMINI_QUOTA_HELP: dict[str, Any] = {
    "@type": "type.googleapis.com/google.rpc.Help",
    "links": [{"description": "Learn more about Gemini API quotas", "url": "https://ai.google.dev/gemini-api/docs/rate-limits"}],
}


def _gemini_quota(quota_id: str, limit: int, retry_s: str) -> Preset:
    """A Gemini 429 for the model's free-tier request quota `quota_id`, at `limit`, to retry after `retry_s` seconds."""
    metric = "generativelanguage.googleapis.com/generate_content_free_tier_requests"
    message = (
        "You exceeded your current quota, please check your plan and billing details. For more information on this error, "
        "head to: https://ai.google.dev/gemini-api/docs/rate-limits. To monitor your current usage, head to: "
        f"https://ai.dev/rate-limit. \n* Quota exceeded for metric: {metric}, limit: {limit}, model: {{{{model}}}}\n"
        f"Please retry in {retry_s}s."
    )
    violation = {"quotaMetric": metric, "quotaId": quota_id, "quotaDimensions": {"location": "global", "model": "{{model}}"}, "quotaValue": str(limit)}
    return _gemini(
        429,
        message,
        GEMINI_QUOTA_HELP,
        {"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [violation]},
        {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": f"{int(float(retry_s))}s"},
    )


_GEMINI_KEY_INVALID = "API key not valid. Please pass a valid API key."


def _ollama(status: int, message: str) -> Preset:
    """A symptom as an Ollama server sends it: `{"error": message}` with `status`."""
    return Preset(status, message, None, source="Ollama")


_COHERE_TRIAL = (
    "You are using a Trial key, which is limited to {}. You can continue to use the Trial key for free or upgrade to a "
    "Production key with higher rate limits at 'https://dashboard.cohere.com/api-keys'. Contact us on "
    "'https://discord.gg/XW44jPfYJu' or email us at support@cohere.com with any questions"
)


def _cohere(status: int, message: str) -> Preset:
    """A symptom as Cohere's API sends it: `{"id": …, "message": message}` with `status`."""
    return Preset(status, message, None, source="Cohere")


def _bedrock(status: int, exception: str, message: str) -> Preset:
    """A symptom as Bedrock sends it: `status`, the exception named in `x-amzn-ErrorType`, `{"message": …}`."""
    return Preset(status, message, exception, source="Bedrock")


_BEDROCK_UNAVAILABLE = _bedrock(503, "ServiceUnavailableException", "Bedrock is unable to process your request.")


#: How other providers send the symptoms: provider → preset name → that provider's preset (absent: shaped from `PRESETS`).
PROVIDER_PRESETS: Mapping[str, Mapping[str, Preset]] = MappingProxyType(
    {
        "Anthropic": MappingProxyType(
            {
                "rate_limited": _anthropic(
                    429,
                    "rate_limit_error",
                    "This request would exceed the rate limit for your organization (5f3c1e52-6b1d-4a8e-9d27-0c4b8e1f2a63) "
                    "of 50 requests per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits. You can "
                    "see the response headers for current usage. Please reduce the prompt length or the maximum tokens "
                    "requested, or try again later. You may also contact sales at https://www.anthropic.com/contact-sales "
                    "to discuss your options for a rate limit increase.",
                    # every Anthropic answer has the `anthropic-ratelimit-*` headers; a 429 says none are left
                    {"retry-after": "1", "anthropic-ratelimit-requests-remaining": "0"},
                ),
                "insufficient_quota": _anthropic(400, "invalid_request_error", _ANTHROPIC_LOW_CREDIT),
                "insufficient_balance": _anthropic(402, "billing_error", _ANTHROPIC_LOW_CREDIT),
                "invalid_api_key": _anthropic(401, "authentication_error", "invalid x-api-key"),
                "content_filter": _anthropic(400, "invalid_request_error", "Output blocked by content filtering policy"),
                "context_length_exceeded": _anthropic(400, "invalid_request_error", "prompt is too long: 210000 tokens > 200000 maximum"),
                "server_error": _anthropic(500, "api_error", "Internal server error"),
            }
        ),
        "Gemini": MappingProxyType(
            {
                "rate_limited": _gemini_quota("GenerateRequestsPerMinutePerProjectPerModel-FreeTier", 10, "1.208374116"),
                "insufficient_quota": _gemini_quota("GenerateRequestsPerDayPerProjectPerModel-FreeTier", 0, "41.682930012"),
                "insufficient_balance": _gemini(
                    429, "Your prepayment credits are depleted. Please go to AI Studio at https://ai.studio/projects to manage your project and billing."
                ),
                "invalid_api_key": _gemini(
                    400,
                    _GEMINI_KEY_INVALID,
                    {
                        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                        "reason": "API_KEY_INVALID",
                        "domain": "googleapis.com",
                        "metadata": {"service": "generativelanguage.googleapis.com"},
                    },
                    {"@type": "type.googleapis.com/google.rpc.LocalizedMessage", "locale": "en-US", "message": _GEMINI_KEY_INVALID},
                ),
                # Gemini rejects no prompt with an HTTP error for its content: it answers 200 with no candidates
                "content_filter": Preset(200, "", None, extra={"promptFeedback": {"blockReason": "PROHIBITED_CONTENT"}}, source="Gemini"),
                "context_length_exceeded": _gemini(400, "The input token count (1200000) exceeds the maximum number of tokens allowed (1048576)."),
                "server_error": _gemini(
                    500, "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting"
                ),
                "unavailable": _gemini(503, "The service is currently unavailable."),
                "overloaded": _gemini(503, "This model is currently experiencing high demand. Spikes in demand are usually temporary. Please try again later."),
            }
        ),
        "Cohere": MappingProxyType(
            {
                "rate_limited": _cohere(429, _COHERE_TRIAL.format("20 API calls / minute")),
                "insufficient_quota": _cohere(429, _COHERE_TRIAL.format("1000 API calls / month")),
                "invalid_api_key": _cohere(401, "invalid api token"),
            }
        ),
        "Bedrock": MappingProxyType(
            {
                "rate_limited": _bedrock(429, "ThrottlingException", "Too many requests, please wait before trying again."),
                "insufficient_quota": _bedrock(400, "ServiceQuotaExceededException", "Too many tokens per day, please wait before trying again."),
                "insufficient_balance": _bedrock(
                    403,
                    "AccessDeniedException",
                    "Model access is denied due to INVALID_PAYMENT_INSTRUMENT:A valid payment instrument must be provided.. "
                    "Your AWS Marketplace subscription for this model cannot be completed at this time.",
                ),
                "invalid_api_key": _bedrock(403, "UnrecognizedClientException", "The security token included in the request is invalid."),
                "content_filter": _bedrock(400, "ValidationException", "Output blocked by content filtering policy"),
                "context_length_exceeded": _bedrock(400, "ValidationException", "Input is too long for requested model."),
                "server_error": _bedrock(
                    500, "InternalServerException", "The system encountered an unexpected error during processing. Try your request again."
                ),
                "bad_gateway": _BEDROCK_UNAVAILABLE,
                "unavailable": _BEDROCK_UNAVAILABLE,
                "overloaded": _bedrock(503, "ServiceUnavailableException", "Too many connections, please wait before trying again."),
            }
        ),
        "Ollama": MappingProxyType(
            {
                # what Ollama sends for its cloud models: a local model has no rate limit or quota
                "rate_limited": _ollama(429, "you (mockllm) have reached your session usage limit, upgrade for higher limits: https://ollama.com/upgrade"),
                "insufficient_quota": _ollama(
                    429,
                    "you (mockllm) have reached your weekly usage limit, upgrade for higher limits: https://ollama.com/upgrade "
                    "or add extra usage: https://ollama.com/settings",
                ),
                "invalid_api_key": _ollama(401, "unauthorized"),
                "context_length_exceeded": _ollama(
                    400,
                    "the prompt is longer than the context length currently available to the model; shorten the prompt, "
                    "adjust the context length in settings, or use a model with a longer context length",
                ),
                "server_error": _ollama(
                    500,
                    "model runner has unexpectedly stopped, this may be due to resource limitations or an internal error, "
                    "check ollama server logs for details",
                ),
                "overloaded": _ollama(503, "server busy, please try again.  maximum pending requests exceeded"),
            }
        ),
    }
)


def variants(name: str) -> dict[str, Preset]:
    """How the providers that send preset `name` differently send it: provider → preset."""
    return {provider: presets[name] for provider, presets in PROVIDER_PRESETS.items() if name in presets}


def preset_names() -> list[str]:
    """Every preset name, in declaration order."""
    return list(PRESETS)


def find_preset(name: str) -> Preset:
    """The preset called `name`; ValueError listing the valid names otherwise."""
    try:
        return PRESETS[name]
    except KeyError:
        raise ValueError(f"unknown error preset {name!r}; {did_you_mean(name, PRESETS)}valid presets: {', '.join(PRESETS)}") from None
