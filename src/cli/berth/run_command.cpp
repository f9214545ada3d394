// berth run / berth create: POST /containers/create (pulling a missing image as
// --pull says), then for run: attach before start, wait on a second connection,
// stream, and exit with the container's code, as docker 20.10's run.go does.
#include <unistd.h>

#include "base/file.hpp"
#include "cli/berth/command.hpp"
#include "cli/berth/container_create_request.hpp"
#include "cli/berth/container_session.hpp"
#include "cli/berth/message_stream.hpp"
#include "cli/berth/registry_auth.hpp"
#include "image/reference.hpp"

namespace berth::cli {
namespace {

Result<void> pull_image(Session& session, const std::string& name, const std::string& platform,
                        bool quiet) {
    auto parsed = image::parse_reference(name);
    if (!parsed) return fail_as(ErrorKind::invalid_argument, parsed.error().message);
    image::Reference ref = image::with_default_tag(*parsed);
    QueryParams query = {{"fromImage", ref.repository()},
                         {"tag", ref.digest ? ref.digest->str() : ref.tag}};
    if (!platform.empty()) query.emplace_back("platform", platform);
    auto headers = BERTH_TRY(registry_auth_header(ref.domain));
    ApiClient* api = BERTH_TRY(session.api());
    auto resp = BERTH_TRY(api->call("POST", "/images/create", query, {}, headers));
    // docker run shows the pull on stderr: stdout is the container's.
    if (quiet) {
        StringWriter discard;
        return display_messages(resp.body(), discard);
    }
    FdWriter err(session.io().err);
    return display_messages(resp.body(), err, terminal_width(session.io().err));
}

Result<Json> post_create(Session& session, const CreateRequest& req) {
    QueryParams query;
    if (!req.name.empty()) query.emplace_back("name", req.name);
    if (!req.platform.empty()) query.emplace_back("platform", req.platform);
    ApiClient* api = BERTH_TRY(session.api());
    return api->post_json("/containers/create", req.body, query);
}

// createContainer in docker's create.go: pull first for "always", on a missing
// image for "missing"; warnings to stderr; the id written to --cidfile.
Result<std::string> create_container(Session& session, const CreateRequest& req,
                                     const ParsedFlags& flags) {
    std::string pull = flags.has("pull") ? flags.value("pull") : "missing";
    std::string cidfile = flags.value("cidfile");
    if (!cidfile.empty() && path_exists(cidfile))
        return fail(
            "Container ID file found, make sure the other container isn't running or delete " +
            cidfile);
    bool quiet = flags.enabled("quiet");
    if (pull == "always") BERTH_TRYV(pull_image(session, req.image, req.platform, quiet));
    auto created = post_create(session, req);
    if (!created && created.error().kind == ErrorKind::not_found && pull == "missing" &&
        created.error().message.find("No such image") != std::string::npos) {
        auto parsed = image::parse_reference(req.image);
        std::string shown = parsed ? image::with_default_tag(*parsed).familiar() : req.image;
        session.err("Unable to find image '" + shown + "' locally\n");
        BERTH_TRYV(pull_image(session, req.image, req.platform, quiet));
        created = post_create(session, req);
    }
    Json answer = BERTH_TRY(std::move(created));
    if (answer.contains("Warnings") && answer["Warnings"].is_array())
        for (const auto& w : answer["Warnings"])
            if (w.is_string()) session.err("WARNING: " + w.get<std::string>() + "\n");
    if (!answer.contains("Id") || !answer["Id"].is_string())
        return fail("the daemon's create answer has no Id");
    std::string id = answer["Id"];
    if (!cidfile.empty()) BERTH_TRYV(write_file_atomic(cidfile, id));
    return id;
}

Result<void> check_pull_flag(const ParsedFlags& flags) {
    std::string pull = flags.has("pull") ? flags.value("pull") : "missing";
    if (pull != "always" && pull != "missing" && pull != "never")
        return fail("invalid pull option: '" + pull +
                    "': must be one of \"always\", \"missing\" or \"never\"");
    return {};
}

Result<CreateRequest> build_request(const ParsedFlags& flags, bool for_run) {
    BERTH_TRYV(check_pull_flag(flags));
    return container_create_request(flags, process_env(), for_run);
}

Result<int> run_create(Session& session, const ParsedFlags& flags) {
    auto req = build_request(flags, false);
    if (!req) {
        report_error(session, req.error().message, "create");
        return 125;
    }
    std::string id = BERTH_TRY(create_container(session, *req, flags));
    BERTH_TRYV(session.out(id + "\n"));
    return 0;
}

Result<void> start_container(Session& session, const std::string& id) {
    ApiClient* api = BERTH_TRY(session.api());
    BERTH_TRY(api->call("POST", "/containers/" + path_escape(id) + "/start"));
    return {};
}

int run_detached(Session& session, const std::string& id) {
    if (auto started = start_container(session, id); !started) {
        report_error(session, started.error().message);
        return start_failure_status(started.error().message);
    }
    (void)session.out(id + "\n");
    return 0;
}

// The attached run: attach, wait registered, start, stream, exit code.
Result<int> run_attached(Session& session, const std::string& id, const CreateRequest& req,
                         const ParsedFlags& flags) {
    const Json& body = req.body;
    AttachStreams streams{.in = body.value("AttachStdin", false),
                          .out = body.value("AttachStdout", false),
                          .err = body.value("AttachStderr", false)};
    bool tty = body.value("Tty", false);
    std::string detach_keys = flags.value("detach-keys");
    std::optional<http::HijackedStream> stream;
    if (streams.in || streams.out || streams.err) {
        ApiClient* api = BERTH_TRY(session.api());
        stream = BERTH_TRY(attach_container(*api, id, streams, detach_keys));
    }
    bool auto_remove = body["HostConfig"].value("AutoRemove", false);
    auto waiter =
        BERTH_TRY(ExitWaiter::start(session.host(), id, auto_remove ? "removed" : "next-exit"));
    if (auto started = start_container(session, id); !started) {
        report_error(session, started.error().message);
        if (auto_remove) (void)waiter.status();  // the daemon removes it; docker waits for that
        return start_failure_status(started.error().message);
    }
    if (stream) {
        StreamSession options{.id = id,
                              .resize_path = "/containers/" + path_escape(id) + "/resize",
                              .tty = tty,
                              .send_stdin = streams.in,
                              .sig_proxy = flags.value("sig-proxy") != "false",
                              .detach_keys = detach_keys};
        auto end = BERTH_TRY(stream_session(session, std::move(*stream), options));
        if (end == PumpEnd::detached) return 0;
    }
    auto status = waiter.status();
    if (!status) {
        report_error(session, status.error().message);
        return 125;
    }
    return *status;
}

Result<int> run_run(Session& session, const ParsedFlags& flags) {
    auto req = build_request(flags, true);
    if (!req) {
        report_error(session, req.error().message, "run");
        return 125;
    }
    // docker's CheckTty, before anything is created.
    if (!flags.enabled("detach") && req->body.value("Tty", false) &&
        req->body.value("AttachStdin", false) && !isatty(session.io().in))
        return fail("the input device is not a TTY");
    auto id = create_container(session, *req, flags);
    if (!id) {
        report_error(session, id.error().message, "run");
        return 125;
    }
    if (flags.enabled("detach")) return run_detached(session, *id);
    auto status = run_attached(session, *id, *req, flags);
    if (!status) {
        report_error(session, status.error().message);
        return 125;
    }
    return *status;
}

std::vector<FlagDef> with_quiet(std::vector<FlagDef> defs) {
    defs.push_back({.long_name = "quiet", .short_name = 'q', .help = "Suppress the pull output"});
    return defs;
}

}  // namespace

Command run_command() {
    return {
        .path = "container run",
        .aliases = {"run"},
        .usage = "[OPTIONS] IMAGE [COMMAND] [ARG...]",
        .description = "Run a command in a new container",
        .flags = with_quiet(container_create_flags(true)),
        .min_args = 1,
        .check = check_create_flags,
        .run_status = run_run,
        .stop_at_args = true,
    };
}

Command create_command() {
    return {
        .path = "container create",
        .aliases = {"create"},
        .usage = "[OPTIONS] IMAGE [COMMAND] [ARG...]",
        .description = "Create a new container",
        .flags = with_quiet(container_create_flags(false)),
        .min_args = 1,
        .check = check_create_flags,
        .run_status = run_create,
        .stop_at_args = true,
    };
}

}  // namespace berth::cli
