// The image configuration (OCI image-spec config.md, with the fields Docker adds):
// the defaults a container starts with, the layer diff IDs and the history. An
// image's ID is the digest of its config's bytes, so the bytes are kept exactly as
// read and a parsed view sits beside them; unknown fields survive a rewrite.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/json.hpp"
#include "base/result.hpp"
#include "image/digest.hpp"

namespace berth::image {

// "Healthcheck" (Docker): durations in nanoseconds, 0 meaning "inherit/default".
struct HealthConfig {
    std::vector<std::string> test;  // ["CMD-SHELL", "curl -f localhost"], ["NONE"]
    std::int64_t interval = 0;
    std::int64_t timeout = 0;
    std::int64_t start_period = 0;
    std::int64_t start_interval = 0;
    int retries = 0;
};

// The "config" member: defaults for containers run from the image. Field names in
// JSON are Docker's PascalCase ones ("Env", "WorkingDir", "ExposedPorts").
struct ContainerConfig {
    std::string hostname, domainname, user;
    bool attach_stdin = false, attach_stdout = false, attach_stderr = false;
    bool tty = false, open_stdin = false, stdin_once = false;
    std::set<std::string> exposed_ports;  // "80/tcp"; a JSON object of empty objects
    std::vector<std::string> env;         // "KEY=value"
    // Unset and empty differ: an image's empty Entrypoint clears its parent's.
    std::optional<std::vector<std::string>> cmd, entrypoint;
    std::set<std::string> volumes;  // a JSON object of empty objects, like ExposedPorts
    std::string working_dir;
    std::map<std::string, std::string> labels;
    std::string stop_signal;
    std::optional<int> stop_timeout;
    std::optional<HealthConfig> healthcheck;
    std::vector<std::string> on_build;
    bool args_escaped = false;  // Windows-only in practice
    std::vector<std::string> shell;
    std::string image;  // the parent image's ID, written by the legacy builder
};

// One step that built the image ("history", config.md).
struct HistoryEntry {
    std::string created;     // RFC 3339, kept as written
    std::string created_by;  // "/bin/sh -c #(nop) CMD [\"sh\"]"
    std::string author;
    std::string comment;
    bool empty_layer = false;  // true when the step added no layer
};

struct RootFs {
    std::string type = "layers";   // the only type config.md defines
    std::vector<Digest> diff_ids;  // digests of the uncompressed layer tars, base first
};

struct ImageConfig {
    std::string architecture, os, variant, os_version;
    std::vector<std::string> os_features;
    std::string created, author, docker_version, container;
    ContainerConfig config;
    std::optional<ContainerConfig> container_config;  // Docker: the build step's container
    RootFs rootfs;
    std::vector<HistoryEntry> history;

    // The bytes this was parsed from; "" when built in memory (see to_json).
    std::string raw;
    // The whole parsed document, unknown fields included; to_json starts from it.
    Json document = Json::object();

    // The image ID: the digest of the config bytes.
    Digest id() const { return sha256_of(raw); }
};

// Parses and validates: rootfs must be there with type "layers" and well-formed
// diff_ids; errors name the field ("rootfs.diff_ids[1]: invalid digest ...").
Result<ImageConfig> parse_image_config(std::string raw);

// Serialises deterministically (compact, keys sorted) from the typed fields laid
// over `document`, so fields this code does not know are kept. Empty strings,
// false and empty lists are left out. A new image's bytes: cfg.raw = to_json(cfg).
std::string to_json(const ImageConfig& cfg);

// The ChainID of the first `n` layers (image-spec config.md, "Layer ChainID"):
// ChainID(L0) = DiffID(L0), ChainID(L0..Ln) = sha256(ChainID(L0..Ln-1) + " " +
// DiffID(Ln)). It names a stack of layers, so equal stacks share one snapshot.
// n = 0 (no layers) gives an empty Digest; n beyond the list counts all layers.
Digest chain_id(const std::vector<Digest>& diff_ids, std::size_t n);
// The ChainIDs of every prefix: result[i] = chain_id(diff_ids, i + 1).
std::vector<Digest> chain_ids(const std::vector<Digest>& diff_ids);

}  // namespace berth::image
