// pipeline/observe/http_auth.h
//
// Bearer-token authentication for `/customers` (http.auth_token_file). The
// token is read once at start; a request is let in when its Authorization
// header is `Bearer <token>`, compared in constant time. Pure functions apart
// from LoadBearerToken's file read; any thread.
#pragma once

#include <string>
#include <string_view>

#include "operators/status.h"

namespace crm::pipeline {

// The token in the file at `path`: its content without surrounding
// whitespace. InvalidArgument, naming the config key `http.auth_token_file`,
// when the file cannot be read, is empty, or holds more than one token
// (whitespace or control characters inside).
[[nodiscard]] Result<std::string> LoadBearerToken(const std::string& path);

// True when `authorization` (the header's value) is "Bearer <token>" with
// exactly `token`; the scheme name is case-insensitive (RFC 7235). The time
// taken does not depend on how much of the token matches.
[[nodiscard]] bool BearerTokenMatches(std::string_view authorization, std::string_view token);

}  // namespace crm::pipeline
