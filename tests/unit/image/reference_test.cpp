#include "image/reference.hpp"

#include <gtest/gtest.h>

namespace berth::image {
namespace {

const std::string kHex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

struct Valid {
    std::string input, domain, path, tag, digest_hex, str, familiar;
};

// Expected normalisations, as `docker pull <input>` resolves them.
const Valid kValid[] = {
    {"busybox", "docker.io", "library/busybox", "", "", "docker.io/library/busybox", "busybox"},
    {"busybox:1.36", "docker.io", "library/busybox", "1.36", "", "docker.io/library/busybox:1.36",
     "busybox:1.36"},
    {"user/app", "docker.io", "user/app", "", "", "docker.io/user/app", "user/app"},
    {"user/app:v1.0-rc_1", "docker.io", "user/app", "v1.0-rc_1", "", "docker.io/user/app:v1.0-rc_1",
     "user/app:v1.0-rc_1"},
    {"docker.io/busybox", "docker.io", "library/busybox", "", "", "docker.io/library/busybox",
     "busybox"},
    {"index.docker.io/library/busybox:x", "docker.io", "library/busybox", "x", "",
     "docker.io/library/busybox:x", "busybox:x"},
    {"index.docker.io/user/app", "docker.io", "user/app", "", "", "docker.io/user/app", "user/app"},
    {"docker.io/library/a/b", "docker.io", "library/a/b", "", "", "docker.io/library/a/b",
     "library/a/b"},
    {"localhost/app", "localhost", "app", "", "", "localhost/app", "localhost/app"},
    {"localhost:5000/x:1", "localhost:5000", "x", "1", "", "localhost:5000/x:1",
     "localhost:5000/x:1"},
    {"registry.example.com/team/app", "registry.example.com", "team/app", "", "",
     "registry.example.com/team/app", "registry.example.com/team/app"},
    {"10.0.0.1:5000/a/b/c:t", "10.0.0.1:5000", "a/b/c", "t", "", "10.0.0.1:5000/a/b/c:t",
     "10.0.0.1:5000/a/b/c:t"},
    {"[::1]:5000/app", "[::1]:5000", "app", "", "", "[::1]:5000/app", "[::1]:5000/app"},
    {"[fe80::1]/app:2", "[fe80::1]", "app", "2", "", "[fe80::1]/app:2", "[fe80::1]/app:2"},
    {"Example.COM/app", "Example.COM", "app", "", "", "Example.COM/app", "Example.COM/app"},
    // Without a '/', "localhost:5000" is the repository "localhost" with tag "5000".
    {"localhost:5000", "docker.io", "library/localhost", "5000", "",
     "docker.io/library/localhost:5000", "localhost:5000"},
    {"my-reg.example-1.com/g", "my-reg.example-1.com", "g", "", "", "my-reg.example-1.com/g",
     "my-reg.example-1.com/g"},
    {"user/a.b-c__d_e---f", "docker.io", "user/a.b-c__d_e---f", "", "",
     "docker.io/user/a.b-c__d_e---f", "user/a.b-c__d_e---f"},
    {"busybox@sha256:" + kHex, "docker.io", "library/busybox", "", kHex,
     "docker.io/library/busybox@sha256:" + kHex, "busybox@sha256:" + kHex},
    {"busybox:1@sha256:" + kHex, "docker.io", "library/busybox", "1", kHex,
     "docker.io/library/busybox:1@sha256:" + kHex, "busybox:1@sha256:" + kHex},
    {"localhost:5000/x@sha256:" + kHex, "localhost:5000", "x", "", kHex,
     "localhost:5000/x@sha256:" + kHex, "localhost:5000/x@sha256:" + kHex},
    {"deadbeef", "docker.io", "library/deadbeef", "", "", "docker.io/library/deadbeef", "deadbeef"},
};

TEST(Reference, NormalisesAsDockerDoes) {
    for (const auto& c : kValid) {
        auto r = parse_reference(c.input);
        ASSERT_TRUE(r) << c.input << ": " << r.error().message;
        EXPECT_EQ(r->domain, c.domain) << c.input;
        EXPECT_EQ(r->path, c.path) << c.input;
        EXPECT_EQ(r->tag, c.tag) << c.input;
        EXPECT_EQ(r->digest ? r->digest->hex : "", c.digest_hex) << c.input;
        EXPECT_EQ(r->str(), c.str) << c.input;
        EXPECT_EQ(r->familiar(), c.familiar) << c.input;
    }
}

TEST(Reference, StrParsesBackToTheSameReference) {
    for (const auto& c : kValid) {
        auto r = parse_reference(c.input);
        ASSERT_TRUE(r) << c.input;
        auto again = parse_reference(r->str());
        ASSERT_TRUE(again) << r->str() << ": " << again.error().message;
        EXPECT_EQ(*again, *r) << c.input << " -> " << r->str();
        auto familiar = parse_reference(r->familiar());
        ASSERT_TRUE(familiar) << r->familiar();
        EXPECT_EQ(*familiar, *r) << c.input << " -> " << r->familiar();
    }
}

TEST(Reference, RepositoryFormsDropTagAndDigest) {
    auto r = parse_reference("user/app:1@sha256:" + kHex);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->repository(), "docker.io/user/app");
    EXPECT_EQ(r->familiar_repository(), "user/app");
}

struct Invalid {
    std::string input, message_part;
};

const Invalid kInvalid[] = {
    {"", "invalid reference format"},
    {"Busybox", "repository name (library/Busybox) must be lowercase"},
    {"user/App", "repository name (user/App) must be lowercase"},
    {"localhost:5000/App:1", "must be lowercase"},
    {"busybox:", "invalid reference format"},
    {"busybox:-x", "invalid reference format"},
    {"busybox:a/b", "invalid reference format"},
    {"busybox:" + std::string(129, 'a'), "invalid reference format"},
    {"busybox@sha256:abc", "invalid reference format"},
    {"busybox@", "invalid reference format"},
    {"busybox@md5:" + kHex, "invalid reference format"},
    {"busybox@sha512:" + kHex, "unsupported digest algorithm"},
    {"-busybox", "invalid reference format"},
    {"busybox-", "invalid reference format"},
    {"a..b/c", "registry"},
    {"a_b.com/c", "registry"},
    {"user/a..b", "invalid reference format"},
    {"user/a___b", "invalid reference format"},
    {"user//app", "invalid reference format"},
    {"user/app/", "invalid reference format"},
    {"/app", "invalid reference format"},
    {"localhost:/app", "registry"},
    {"localhost:50a/app", "registry"},
    {"-bad.com/app", "registry"},
    {"[::1/app", "registry"},
    {"[]:5000/app", "registry"},
    {"[::1]x/app", "registry"},
    {"busy box", "invalid reference format"},
    {"example.com/" + std::string(250, 'a'), "255 characters"},
    {kHex, "cannot specify 64-byte hexadecimal strings"},
};

TEST(Reference, RefusesMalformedWithDockersErrors) {
    for (const auto& c : kInvalid) {
        auto r = parse_reference(c.input);
        ASSERT_FALSE(r) << "\"" << c.input << "\" was accepted as " << r->str();
        EXPECT_NE(r.error().message.find(c.message_part), std::string::npos)
            << c.input << ": " << r.error().message;
        EXPECT_EQ(r.error().kind, ErrorKind::invalid_argument)
            << c.input << ": a malformed reference must be the client's error (HTTP 400)";
    }
}

TEST(Reference, LengthLimitsAreInclusive) {
    // 255 counts the normalised name, "docker.io/library/" included.
    std::string path(255 - std::string("docker.io/user/").size(), 'a');
    EXPECT_TRUE(parse_reference("user/" + path)) << "a 255-character name is allowed";
    EXPECT_FALSE(parse_reference("user/" + path + "a")) << "256 characters is too long";
    EXPECT_TRUE(parse_reference("busybox:" + std::string(128, 'a'))) << "128-char tag allowed";
}

TEST(Reference, DefaultTagOnlyForNameOnlyReferences) {
    EXPECT_EQ(with_default_tag(*parse_reference("busybox")).str(),
              "docker.io/library/busybox:latest");
    EXPECT_EQ(with_default_tag(*parse_reference("busybox:1")).tag, "1");
    auto digested = with_default_tag(*parse_reference("busybox@sha256:" + kHex));
    EXPECT_EQ(digested.tag, "") << "a digest reference must stay digest-only";
}

TEST(Reference, ImageIdPrefixes) {
    EXPECT_EQ(image_id_prefix(kHex), kHex);
    EXPECT_EQ(image_id_prefix("sha256:" + kHex), kHex);
    EXPECT_EQ(image_id_prefix("e3b0c4"), "e3b0c4");
    EXPECT_EQ(image_id_prefix("sha256:e3b0"), "e3b0");
    EXPECT_FALSE(looks_like_image_id("")) << "empty";
    EXPECT_FALSE(looks_like_image_id("sha256:")) << "no digits after the algorithm";
    EXPECT_FALSE(looks_like_image_id("busybox")) << "not hex";
    EXPECT_FALSE(looks_like_image_id("E3B0C4")) << "IDs are lowercase";
    EXPECT_FALSE(looks_like_image_id(kHex + "0")) << "longer than a sha256";
}

}  // namespace
}  // namespace berth::image
