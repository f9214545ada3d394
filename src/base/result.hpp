// Errors as values: every fallible call returns Result<T>; an Error carries the
// errno it came from (0 when none) and a message that grows context on its way up.
#pragma once

#include <cerrno>
#include <expected>
#include <string>
#include <string_view>
#include <utility>

namespace berth {

// What kind of failure an error is, for the faces that must classify it: the API
// maps it to an HTTP status (400, 404, 409, 500), the CLI to an exit code.
enum class ErrorKind { internal, invalid_argument, not_found, conflict, unavailable, unauthorized };

struct Error {
    int sys_errno = 0;    // errno of the failing syscall, 0 when not a syscall failure
    std::string message;  // "what failed: why", outermost context first
    ErrorKind kind = ErrorKind::internal;

    // Prefixes context: "parse config.json" + "process.args: must not be empty".
    Error&& context(std::string_view what) && {
        message = std::string(what) + ": " + message;
        return std::move(*this);
    }
};

template <typename T = void>
using Result = std::expected<T, Error>;

// An error with no errno behind it.
inline std::unexpected<Error> fail(std::string message) {
    return std::unexpected(Error{0, std::move(message)});
}

// An error of a given kind: fail_as(ErrorKind::not_found, "No such image: x").
inline std::unexpected<Error> fail_as(ErrorKind kind, std::string message) {
    return std::unexpected(Error{0, std::move(message), kind});
}

// An error from a syscall that just failed: "what: strerror(errno)".
std::unexpected<Error> sys_fail(std::string_view what, int err = errno);

// Adds context to the error of a failed Result, passing success through.
template <typename T>
Result<T> with_context(Result<T>&& r, std::string_view what) {
    if (!r) return std::unexpected(std::move(r.error()).context(what));
    return std::move(r);
}

}  // namespace berth

#define BERTH_CONCAT_(a, b) a##b
#define BERTH_CONCAT(a, b) BERTH_CONCAT_(a, b)
// Each expansion gets its own variable so BERTH_TRY can nest in one expression.
#define BERTH_UNIQUE(name) BERTH_CONCAT(name, __COUNTER__)

// Propagates the error of a Result-returning expression; evaluates to its value.
#define BERTH_TRY(expr) BERTH_TRY_IMPL_(expr, BERTH_UNIQUE(berth_try_r_))
#define BERTH_TRY_IMPL_(expr, var)                                \
    ({                                                            \
        auto&& var = (expr);                                      \
        if (!var) return std::unexpected(std::move(var.error())); \
        std::move(*var);                                          \
    })

// Same, for Result<void>.
#define BERTH_TRYV(expr) BERTH_TRYV_IMPL_(expr, BERTH_UNIQUE(berth_try_r_))
#define BERTH_TRYV_IMPL_(expr, var)                               \
    do {                                                          \
        auto&& var = (expr);                                      \
        if (!var) return std::unexpected(std::move(var.error())); \
    } while (0)

// Propagates with context: BERTH_TRYV_CTX(mount_all(), "mount volumes").
#define BERTH_TRYV_CTX(expr, ctx) BERTH_TRYV_CTX_IMPL_(expr, ctx, BERTH_UNIQUE(berth_try_r_))
#define BERTH_TRYV_CTX_IMPL_(expr, ctx, var)                                   \
    do {                                                                       \
        auto&& var = (expr);                                                   \
        if (!var) return std::unexpected(std::move(var.error()).context(ctx)); \
    } while (0)
