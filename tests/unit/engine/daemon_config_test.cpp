#include "engine/daemon_config.hpp"

#include <gtest/gtest.h>

namespace berth::engine {
namespace {

TEST(DaemonConfig, FileSetsDirectives) {
    DaemonConfig cfg;
    auto doc = Json::parse(R"({"data-root": "/d", "hosts": ["unix:///s.sock"], "debug": true})");
    ASSERT_TRUE(apply_daemon_json(cfg, doc, {}));
    EXPECT_EQ(cfg.data_root, "/d");
    EXPECT_EQ(*cfg.socket_path(), "/s.sock");
    EXPECT_EQ(cfg.log_level, "debug");
}

TEST(DaemonConfig, FlagAndFileBothSettingADirectiveIsAnError) {
    DaemonConfig cfg;
    auto r = apply_daemon_json(cfg, Json::parse(R"({"data-root": "/d"})"), {"data-root"});
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("both as a flag and in the configuration file: data-root"),
              std::string::npos)
        << r.error().message;
}

TEST(DaemonConfig, UnknownDirectiveIsNamed) {
    DaemonConfig cfg;
    auto r = apply_daemon_json(cfg, Json::parse(R"({"data-rot": "/d"})"), {});
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("data-rot"), std::string::npos);
}

TEST(DaemonConfig, OnlyUnixHostsAreServed) {
    DaemonConfig cfg;
    cfg.host = "tcp://0.0.0.0:2375";
    EXPECT_FALSE(cfg.socket_path());
    cfg.host = "/run/x.sock";
    EXPECT_EQ(*cfg.socket_path(), "/run/x.sock");
}

TEST(DaemonConfig, MissingExplicitFileIsAnError) {
    DaemonConfig cfg;
    cfg.config_file = "/nonexistent/daemon.json";
    EXPECT_TRUE(load_daemon_json(cfg, false, {}));
    EXPECT_FALSE(load_daemon_json(cfg, true, {}));
}

TEST(DaemonConfig, RegistryMirrorsAreUrlsWithoutPaths) {
    DaemonConfig cfg;
    ASSERT_TRUE(apply_daemon_json(
        cfg, Json::parse(R"({"registry-mirrors": ["http://127.0.0.1:5000", "https://m.example"]})"),
        {}));
    EXPECT_EQ(cfg.registry_mirrors,
              (std::vector<std::string>{"http://127.0.0.1:5000", "https://m.example"}));
    auto no_scheme =
        apply_daemon_json(cfg, Json::parse(R"({"registry-mirrors": ["m.example"]})"), {});
    ASSERT_FALSE(no_scheme) << "a mirror without http:// or https:// must be refused";
    EXPECT_NE(no_scheme.error().message.find("m.example"), std::string::npos)
        << no_scheme.error().message;
    auto path = apply_daemon_json(
        cfg, Json::parse(R"({"registry-mirrors": ["https://m.example/v2/hub"]})"), {});
    ASSERT_FALSE(path) << "a mirror URL with a path must be refused";
}

}  // namespace
}  // namespace berth::engine
