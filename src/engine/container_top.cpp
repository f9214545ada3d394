// ps filtering for `top`. ps runs through run_program (posix_spawn): berthd is
// multi-threaded, and a fork of it could inherit a lock held by another thread.
#include "engine/container_top.hpp"

#include <algorithm>
#include <chrono>

#include "base/process.hpp"
#include "base/strings.hpp"
#include "base/text.hpp"

namespace berth::engine {

namespace {

// Words split on ASCII blanks only (ps pads its columns with spaces).
std::vector<std::string_view> fields(std::string_view line) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    auto blank = [](char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
    };
    while (i < line.size()) {
        while (i < line.size() && blank(line[i])) ++i;
        std::size_t start = i;
        while (i < line.size() && !blank(line[i])) ++i;
        if (i > start) out.push_back(line.substr(start, i - start));
    }
    return out;
}

// A row's columns: one per title, the last joining what is left with spaces.
// A row shorter than the titles (an empty trailing column) is padded.
Json row(const std::vector<std::string_view>& f, std::size_t columns) {
    Json out = Json::array();
    for (std::size_t i = 0; i + 1 < columns; ++i)
        out.push_back(i < f.size() ? std::string(f[i]) : "");
    std::string last;
    for (std::size_t i = columns - 1; i < f.size(); ++i) {
        if (!last.empty()) last += ' ';
        last += f[i];
    }
    out.push_back(std::move(last));
    return out;
}

}  // namespace

Result<void> validate_ps_args(std::string_view ps_args) {
    auto words = fields(ps_args);
    for (std::size_t i = 0; i < words.size(); ++i) {
        auto eq = words[i].find('=');
        if (eq == std::string_view::npos) continue;
        auto key = words[i].substr(0, eq);
        auto value = words[i].substr(eq + 1);
        if (value.empty() && i + 1 < words.size()) value = words[i + 1];
        if (value.starts_with("PID") && key != "pid")
            return fail_as(ErrorKind::invalid_argument,
                           cat("specifying \"", key, "=", value, "\" is not allowed"));
    }
    return {};
}

Result<Json> parse_ps_output(std::string_view output, const std::vector<pid_t>& pids) {
    auto lines = split(output, '\n');
    auto titles = fields(lines.empty() ? std::string_view() : std::string_view(lines[0]));
    auto pid_column = std::find(titles.begin(), titles.end(), "PID");
    if (pid_column == titles.end()) return fail("Couldn't find PID field in ps output");
    auto pid_index = static_cast<std::size_t>(pid_column - titles.begin());

    Json processes = Json::array();
    bool last_kept = false;
    for (std::size_t i = 1; i < lines.size(); ++i) {
        auto f = fields(lines[i]);
        if (f.empty()) continue;
        if (f.size() <= pid_index) return fail(cat("Unexpected ps output line: ", lines[i]));
        if (f[pid_index] == "-") {  // a thread of the process above
            if (last_kept) processes.push_back(row(f, titles.size()));
            continue;
        }
        auto pid = parse_int(f[pid_index]);
        if (!pid) return fail(cat("Unexpected pid '", f[pid_index], "'"));
        last_kept = std::find(pids.begin(), pids.end(), static_cast<pid_t>(*pid)) != pids.end();
        if (last_kept) processes.push_back(row(f, titles.size()));
    }
    Json title_list = Json::array();
    for (auto t : titles) title_list.push_back(std::string(t));
    return Json{{"Titles", title_list}, {"Processes", processes}};
}

Result<Json> run_top(std::string_view ps_args, const std::vector<pid_t>& pids) {
    if (ps_args.empty()) ps_args = "-ef";
    BERTH_TRYV(validate_ps_args(ps_args));
    ProgramSpec spec;
    spec.path = "/bin/ps";
    spec.argv = {"ps"};
    for (auto w : fields(ps_args)) spec.argv.emplace_back(w);
    spec.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"};
    spec.timeout = std::chrono::seconds(30);
    spec.output_limit = 64 << 20;  // the whole process table of a busy host
    auto r = BERTH_TRY(run_program(spec));
    if (!r.ok()) {
        auto why = std::string(trim(r.stderr_text));
        return fail(cat("Error running ps: ", r.describe_end(spec), why.empty() ? "" : ": ", why));
    }
    return parse_ps_output(r.stdout_text, pids);
}

}  // namespace berth::engine
