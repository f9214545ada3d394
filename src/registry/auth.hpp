// Registry authentication (distribution spec and Docker's token auth): a request
// answered 401 carries WWW-Authenticate challenges; Basic is answered with the
// credentials, Bearer by fetching a token from the challenge's realm for the
// scopes the operation needs ("repository:library/busybox:pull").
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "registry/credentials.hpp"
#include "registry/http_client.hpp"

namespace berth::registry {

struct Challenge {
    std::string scheme;                         // lowercased: "basic", "bearer"
    std::map<std::string, std::string> params;  // realm, service, scope, error (keys lowercased)
};

// Parses a WWW-Authenticate value (RFC 9110 §11.6.1): one or more challenges,
// auth-params as token=token or token="quoted\"string".
std::vector<Challenge> parse_challenges(std::string_view header);

// Holds what a repository session learned: the scheme the registry asked for and
// the current token, reused for every later request.
class Authorizer {
  public:
    Authorizer(HttpClient& http, AuthConfig creds, std::vector<std::string> scopes)
        : http_(http), creds_(std::move(creds)), scopes_(std::move(scopes)) {}

    // The Authorization header value to send, if one is known yet.
    std::optional<std::string> header() const { return header_; }
    // Answers the challenges of a 401: fetches a token or switches to Basic. Fails
    // ("unauthorized: ...") when there are no credentials to answer Basic, the token
    // service refuses them, or the registry already refused what was sent.
    Result<void> answer(const http::Headers& response_headers);

  private:
    Result<std::string> fetch_token(const Challenge& c);

    HttpClient& http_;
    AuthConfig creds_;
    std::vector<std::string> scopes_;
    std::optional<std::string> header_;
    int answered_ = 0;
};

}  // namespace berth::registry
