#include "registry/credentials.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>

#include "base/base64.hpp"
#include "base/file.hpp"

namespace berth::registry {
namespace {

TEST(RegistryAuthHeaderTest, RoundTripsThroughBase64UrlJson) {
    AuthConfig a{.username = "alice", .password = "p/w?+", .server_address = "127.0.0.1:5000"};
    auto back = decode_registry_auth(encode_registry_auth(a));
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(back->username, "alice");
    EXPECT_EQ(back->password, "p/w?+");
    EXPECT_EQ(back->server_address, "127.0.0.1:5000");
}

TEST(RegistryAuthHeaderTest, EmptyHeaderAndEmptyObjectAreAnonymous) {
    EXPECT_TRUE(decode_registry_auth("").value().empty());
    EXPECT_TRUE(decode_registry_auth("e30=").value().empty()) << "e30= is base64 of {}";
}

TEST(RegistryAuthHeaderTest, NonJsonIsAnInvalidArgument) {
    auto r = decode_registry_auth(base64_encode("user:pass"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::invalid_argument);
}

TEST(ServerDomainTest, NormalisesLoginArguments) {
    EXPECT_EQ(server_domain("https://index.docker.io/v1/"), "docker.io");
    EXPECT_EQ(server_domain(""), "docker.io");
    EXPECT_EQ(server_domain("http://127.0.0.1:5000/v2/"), "127.0.0.1:5000");
    EXPECT_EQ(server_domain("ghcr.io"), "ghcr.io");
    EXPECT_EQ(credential_key("docker.io"), "https://index.docker.io/v1/");
    EXPECT_EQ(credential_key("ghcr.io"), "ghcr.io");
}

class CredentialFileTest : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/berth-creds-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
        path_ = dir_ + "/sub/config.json";
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    std::string dir_, path_;
};

TEST_F(CredentialFileTest, MissingFileIsEmpty) {
    auto f = CredentialFile::load(path_);
    ASSERT_TRUE(f) << f.error().message;
    EXPECT_FALSE(f->find("docker.io"));
}

TEST_F(CredentialFileTest, ReadsDockerLoginEntriesUnderAnyKeySpelling) {
    ASSERT_TRUE(mkdir_p(dir_ + "/sub"));
    ASSERT_TRUE(write_file_atomic(path_, R"({"auths":{"https://index.docker.io/v1/":{"auth":")" +
                                             base64_encode("bob:hunter2") + R"("}},"credsStore":"x"})"));
    auto f = CredentialFile::load(path_).value();
    auto a = f.find("docker.io");
    ASSERT_TRUE(a) << "docker.io credentials are stored under Docker Hub's v1 URL";
    EXPECT_EQ(a->username, "bob");
    EXPECT_EQ(a->password, "hunter2");
}

TEST_F(CredentialFileTest, SaveWritesPrivateFileKeepingOtherKeys) {
    ASSERT_TRUE(mkdir_p(dir_ + "/sub"));
    ASSERT_TRUE(write_file_atomic(path_, R"({"psFormat":"table"})"));
    auto f = CredentialFile::load(path_).value();
    f.set("127.0.0.1:5000", {.username = "alice", .password = "pw"});
    ASSERT_TRUE(f.save());
    struct stat st{};
    ASSERT_EQ(::stat(path_.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u) << "the file holds passwords";
    auto again = CredentialFile::load(path_).value();
    EXPECT_EQ(again.find("127.0.0.1:5000").value().password, "pw");
    EXPECT_NE(read_file(path_).value().find("psFormat"), std::string::npos) << "unknown keys must survive";
}

TEST_F(CredentialFileTest, EraseReportsWhetherAnythingWasThere) {
    auto f = CredentialFile::load(path_).value();
    f.set("ghcr.io", {.username = "a", .password = "b"});
    EXPECT_TRUE(f.erase("https://ghcr.io/"));
    EXPECT_FALSE(f.erase("ghcr.io"));
}

}  // namespace
}  // namespace berth::registry
