#include "image/image_config.hpp"

#include <gtest/gtest.h>

namespace berth::image {
namespace {

// The shape `docker build` writes (legacy builder), trimmed, with Go's nulls.
const std::string kDockerConfig = R"({
  "architecture": "amd64",
  "config": {
    "Hostname": "", "Domainname": "", "User": "app", "AttachStdin": false,
    "AttachStdout": false, "AttachStderr": false, "Tty": false, "OpenStdin": false,
    "StdinOnce": false,
    "ExposedPorts": {"80/tcp": {}, "53/udp": {}},
    "Env": ["PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8"],
    "Cmd": ["sh"], "Entrypoint": null,
    "Image": "sha256:1111111111111111111111111111111111111111111111111111111111111111",
    "Volumes": {"/data": {}}, "WorkingDir": "/srv", "OnBuild": null,
    "Labels": {"maintainer": "me"}, "StopSignal": "SIGQUIT",
    "Healthcheck": {"Test": ["CMD-SHELL", "true"], "Interval": 30000000000, "Retries": 3},
    "Shell": ["/bin/bash", "-c"]
  },
  "container": "3c5d9f",
  "container_config": {"Cmd": ["/bin/sh", "-c", "#(nop) ", "CMD [\"sh\"]"]},
  "created": "2024-01-02T03:04:05.123456789Z",
  "docker_version": "24.0.7",
  "history": [
    {"created": "2024-01-02T03:04:05Z", "created_by": "/bin/sh -c #(nop) ADD file:x in / "},
    {"created": "2024-01-02T03:04:05Z", "created_by": "/bin/sh -c #(nop)  CMD [\"sh\"]",
     "empty_layer": true}
  ],
  "os": "linux",
  "rootfs": {"type": "layers", "diff_ids": [
    "sha256:4fbec69b941195fd56f8212a5000e304129451d82efca94ff0e0fb2d5355472e"]},
  "x-unknown-extension": {"keep": [1, 2, 3]}
})";

TEST(ImageConfig, ParsesDockerFields) {
    auto c = parse_image_config(kDockerConfig);
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->architecture, "amd64");
    EXPECT_EQ(c->os, "linux");
    EXPECT_EQ(c->created, "2024-01-02T03:04:05.123456789Z");
    EXPECT_EQ(c->docker_version, "24.0.7");
    EXPECT_EQ(c->container, "3c5d9f");
    EXPECT_EQ(c->config.user, "app");
    EXPECT_EQ(c->config.exposed_ports, (std::set<std::string>{"53/udp", "80/tcp"}));
    EXPECT_EQ(c->config.env.size(), 2u);
    EXPECT_EQ(c->config.cmd, (std::vector<std::string>{"sh"}));
    EXPECT_FALSE(c->config.entrypoint) << "a null Entrypoint is unset, not empty";
    EXPECT_EQ(c->config.volumes, (std::set<std::string>{"/data"}));
    EXPECT_EQ(c->config.working_dir, "/srv");
    EXPECT_EQ(c->config.labels.at("maintainer"), "me");
    EXPECT_EQ(c->config.stop_signal, "SIGQUIT");
    ASSERT_TRUE(c->config.healthcheck);
    EXPECT_EQ(c->config.healthcheck->interval, 30000000000);
    EXPECT_EQ(c->config.healthcheck->retries, 3);
    EXPECT_EQ(c->config.shell, (std::vector<std::string>{"/bin/bash", "-c"}));
    ASSERT_TRUE(c->container_config);
    EXPECT_EQ(c->container_config->cmd->size(), 4u);
    ASSERT_EQ(c->history.size(), 2u);
    EXPECT_FALSE(c->history[0].empty_layer);
    EXPECT_TRUE(c->history[1].empty_layer);
    ASSERT_EQ(c->rootfs.diff_ids.size(), 1u);
}

TEST(ImageConfig, KeepsTheExactBytesAndTheIdIsTheirDigest) {
    auto c = parse_image_config(kDockerConfig);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->raw, kDockerConfig) << "the raw bytes must be kept verbatim";
    EXPECT_EQ(c->id(), sha256_of(kDockerConfig));
}

TEST(ImageConfig, EmptyEntrypointIsKeptDistinctFromUnset) {
    auto c =
        parse_image_config(R"({"architecture":"amd64","os":"linux","config":{"Entrypoint":[]},)"
                           R"("rootfs":{"type":"layers","diff_ids":[]}})");
    ASSERT_TRUE(c) << c.error().message;
    ASSERT_TRUE(c->config.entrypoint) << "Entrypoint [] must not read as unset";
    EXPECT_TRUE(c->config.entrypoint->empty());
    auto again = parse_image_config(to_json(*c));
    ASSERT_TRUE(again);
    ASSERT_TRUE(again->config.entrypoint) << "Entrypoint [] lost in serialisation";
}

TEST(ImageConfig, RewriteKeepsUnknownFieldsAndAppliesEdits) {
    auto c = parse_image_config(kDockerConfig);
    ASSERT_TRUE(c);
    c->config.env.push_back("NEW=1");
    c->config.stop_signal.clear();
    auto out = parse_json(to_json(*c), "rewritten");
    ASSERT_TRUE(out);
    EXPECT_EQ((*out)["x-unknown-extension"]["keep"], Json::parse("[1,2,3]"))
        << "an unknown top-level field was dropped";
    EXPECT_EQ((*out)["config"]["Env"].size(), 3u);
    EXPECT_FALSE((*out)["config"].contains("StopSignal")) << "a cleared field was still written";
    EXPECT_EQ((*out)["config"]["ExposedPorts"], Json::parse(R"({"53/udp":{},"80/tcp":{}})"));
}

TEST(ImageConfig, SerialisationIsDeterministicAndRoundTrips) {
    ImageConfig c;
    c.architecture = "arm64";
    c.variant = "v8";
    c.os = "linux";
    c.config.env = {"A=1"};
    c.config.cmd = std::vector<std::string>{"/bin/true"};
    c.rootfs.diff_ids = {sha256_of("layer0")};
    c.history.push_back({.created_by = "import"});
    std::string once = to_json(c);
    EXPECT_EQ(once, to_json(c));
    EXPECT_EQ(once.find('\n'), std::string::npos) << "generated JSON should be compact";
    auto back = parse_image_config(once);
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(back->variant, "v8");
    EXPECT_EQ(back->config.cmd, c.config.cmd);
    EXPECT_EQ(back->rootfs.diff_ids, c.rootfs.diff_ids);
    EXPECT_EQ(to_json(*back), once) << "parse then serialise changed the bytes";
}

TEST(ImageConfig, RefusesMissingOrMalformedRootfs) {
    struct Case {
        std::string json, message_part;
    } cases[] = {
        {R"({"os":"linux"})", "missing required field \"rootfs\""},
        {R"({"rootfs":{"type":"zfs","diff_ids":[]}})", "rootfs: type must be \"layers\""},
        {R"({"rootfs":{"type":"layers","diff_ids":["sha256:abc"]}})", "rootfs.diff_ids[0]"},
        {R"({"rootfs":{"type":"layers"},"config":{"Env":"A=1"}})", "config.Env"},
        {R"({"rootfs":{"type":"layers"},"history":[{"empty_layer":"yes"}]})",
         "history[0].empty_layer"},
        {R"([1])", "expected an object"},
        {R"({)", "invalid JSON"},
    };
    for (auto& c : cases) {
        auto r = parse_image_config(c.json);
        ASSERT_FALSE(r) << c.json << " was accepted";
        EXPECT_NE(r.error().message.find(c.message_part), std::string::npos)
            << c.json << ": " << r.error().message;
        EXPECT_EQ(r.error().message.rfind("image config", 0), 0u) << r.error().message;
    }
}

// Vectors computed independently with Python's hashlib:
//   d0 = "sha256:" + sha256(b"layer0"), d1 = ... b"layer1", d2 = ... b"layer2"
//   c1 = "sha256:" + sha256((d0 + " " + d1).encode()).hexdigest()
//   c2 = "sha256:" + sha256((c1 + " " + d2).encode()).hexdigest()
TEST(ImageConfig, ChainIdsFollowTheSpec) {
    std::vector<Digest> diff_ids = {sha256_of("layer0"), sha256_of("layer1"), sha256_of("layer2")};
    ASSERT_EQ(diff_ids[0].str(),
              "sha256:4fbec69b941195fd56f8212a5000e304129451d82efca94ff0e0fb2d5355472e");
    EXPECT_EQ(chain_id(diff_ids, 1), diff_ids[0]) << "ChainID(L0) must be DiffID(L0)";
    EXPECT_EQ(chain_id(diff_ids, 2).str(),
              "sha256:ef232af0eb422cdfd7917631657cd8ed2bfd5b9461b37c427aa0d3e0a19adf79");
    EXPECT_EQ(chain_id(diff_ids, 3).str(),
              "sha256:7ad3896338947cc04ee0b35b50d400ff32538d63f42f85ec87feac78bf71a54d");
    auto all = chain_ids(diff_ids);
    ASSERT_EQ(all.size(), 3u);
    for (size_t i = 0; i < all.size(); ++i)
        EXPECT_EQ(all[i], chain_id(diff_ids, i + 1)) << "chain_ids()[" << i << "]";
    EXPECT_TRUE(chain_id(diff_ids, 0).empty()) << "no layers has no chain ID";
    EXPECT_EQ(chain_id(diff_ids, 9), all.back()) << "n past the end counts every layer";
}

}  // namespace
}  // namespace berth::image
