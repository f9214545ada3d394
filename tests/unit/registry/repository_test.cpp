#include "registry/repository.hpp"

#include <gtest/gtest.h>

#include "registry/scripted_server.hpp"

namespace berth::registry {
namespace {

TEST(RegistryBaseTest, DockerHubIsServedByItsApiHost) {
    auto u = registry_base("docker.io");
    EXPECT_EQ(u.origin(), "https://registry-1.docker.io");
}

TEST(RegistryBaseTest, LoopbackRegistriesArePlainHttp) {
    EXPECT_EQ(registry_base("localhost:5000").origin(), "http://localhost:5000");
    EXPECT_EQ(registry_base("127.0.0.1:40123").origin(), "http://127.0.0.1:40123");
    EXPECT_EQ(registry_base("[::1]:5000").origin(), "http://[::1]:5000");
}

TEST(RegistryBaseTest, OtherRegistriesAreHttpsUnlessListedInsecure) {
    EXPECT_EQ(registry_base("ghcr.io").origin(), "https://ghcr.io");
    EXPECT_EQ(registry_base("reg.lan:5000").origin(), "https://reg.lan:5000");
    EXPECT_EQ(registry_base("reg.lan:5000", {"reg.lan:5000"}).origin(), "http://reg.lan:5000");
}

std::string answer(int status, const std::string& reason, const std::string& location = "") {
    std::string r = "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\n";
    if (!location.empty()) r += "Location: " + location + "\r\n";
    return r + "Content-Length: 0\r\n\r\n";
}

// A session on the scripted server at 127.0.0.1:<port> (loopback: plain HTTP).
Repository session(int port, std::uint64_t threshold, std::uint64_t chunk) {
    RepositoryOptions opts;
    opts.chunk_threshold = threshold;
    opts.chunk_size = chunk;
    image::Reference ref{.domain = "127.0.0.1:" + std::to_string(port), .path = "team/app"};
    return Repository(ref, {}, Access::push, opts);
}

const image::Digest kBlob = image::sha256_of("0123456789");
const std::string kBlobQuery = "sha256%3A" + kBlob.hex;  // the digest in a query string

// Uploads kBlob's 10 bytes to a server answering `script`; returns the requests it saw.
std::vector<std::string> upload_requests(std::vector<std::string> script, std::uint64_t threshold,
                                         std::uint64_t chunk) {
    ScriptedServer s(std::move(script));
    auto repo = session(s.port(), threshold, chunk);
    StringReader content("0123456789");
    auto done = repo.upload_blob(kBlob, 10, content);
    EXPECT_TRUE(done.has_value()) << done.error().message;
    return s.requests();
}

TEST(RepositoryUploadTest, SmallBlobsGoInOnePut) {
    auto reqs = upload_requests({answer(202, "Accepted", "/v2/team/app/blobs/uploads/u1?_state=a"),
                                 answer(201, "Created")},
                                16, 4);
    ASSERT_EQ(reqs.size(), 2u);
    EXPECT_TRUE(reqs[0].starts_with("POST /v2/team/app/blobs/uploads/ ")) << reqs[0];
    EXPECT_TRUE(reqs[1].starts_with(
        "PUT /v2/team/app/blobs/uploads/u1?_state=a&digest=" + kBlobQuery + " "))
        << reqs[1];
    EXPECT_TRUE(reqs[1].ends_with("\r\n\r\n0123456789"))
        << "the PUT carries the whole blob: " << reqs[1];
}

TEST(RepositoryUploadTest, LargeBlobsGoInPatchChunksFollowingEachLocation) {
    auto reqs = upload_requests(
        {answer(202, "Accepted", "/v2/team/app/blobs/uploads/u1?_state=a"),
         answer(202, "Accepted", "/v2/team/app/blobs/uploads/u1?_state=b"),
         answer(202, "Accepted", "/v2/team/app/blobs/uploads/u1?_state=c"),
         answer(202, "Accepted", "http://127.0.0.1:{port}/v2/team/app/blobs/uploads/u1?_state=d"),
         answer(201, "Created")},
        8, 4);
    ASSERT_EQ(reqs.size(), 5u);
    const char* states[] = {"a", "b", "c"};
    const char* ranges[] = {"0-3", "4-7", "8-9"};
    const char* bodies[] = {"0123", "4567", "89"};
    for (int i = 0; i < 3; ++i) {
        const auto& r = reqs[static_cast<std::size_t>(i) + 1];
        EXPECT_TRUE(r.starts_with(std::string("PATCH /v2/team/app/blobs/uploads/u1?_state=") +
                                  states[i] + " "))
            << "chunk " << i << " goes where the previous answer's Location said: " << r;
        EXPECT_NE(r.find(std::string("Content-Range: ") + ranges[i] + "\r\n"), std::string::npos)
            << r;
        EXPECT_TRUE(r.ends_with(std::string("\r\n\r\n") + bodies[i])) << r;
    }
    EXPECT_TRUE(reqs[4].starts_with(
        "PUT /v2/team/app/blobs/uploads/u1?_state=d&digest=" + kBlobQuery + " "))
        << reqs[4];
    EXPECT_NE(reqs[4].find("Content-Length: 0\r\n"), std::string::npos)
        << "the closing PUT is empty: " << reqs[4];
}

TEST(RepositoryUploadTest, AMountAnswered201NeedsNoUpload) {
    ScriptedServer s({answer(201, "Created", "/v2/team/app/blobs/" + kBlob.str())});
    auto repo = session(s.port(), 16, 4);
    auto upload = repo.start_upload(kBlob, "library/base");
    ASSERT_TRUE(upload.has_value()) << upload.error().message;
    EXPECT_TRUE(upload->mounted);
    auto reqs = s.requests();
    ASSERT_EQ(reqs.size(), 1u);
    EXPECT_TRUE(reqs[0].starts_with("POST /v2/team/app/blobs/uploads/?mount=" + kBlobQuery +
                                    "&from=library%2Fbase "))
        << reqs[0];
}

TEST(RepositoryUploadTest, AMountAnswered202IsAnUploadSession) {
    ScriptedServer s(
        {answer(202, "Accepted", "/v2/team/app/blobs/uploads/u2"), answer(201, "Created")});
    auto repo = session(s.port(), 16, 4);
    auto upload = repo.start_upload(kBlob, "library/base");
    ASSERT_TRUE(upload.has_value()) << upload.error().message;
    EXPECT_FALSE(upload->mounted);
    StringReader content("0123456789");
    ASSERT_TRUE(repo.write_upload(*upload, kBlob, 10, content).has_value());
    auto reqs = s.requests();
    ASSERT_EQ(reqs.size(), 2u);
    EXPECT_TRUE(reqs[1].starts_with("PUT /v2/team/app/blobs/uploads/u2?digest=")) << reqs[1];
}

TEST(RepositoryUploadTest, ARegistrysMinimumChunkLengthIsRespected) {
    auto reqs = upload_requests(
        {"HTTP/1.1 202 Accepted\r\nLocation: /u\r\nOCI-Chunk-Min-Length: 6\r\nContent-Length: "
         "0\r\n\r\n",
         answer(202, "Accepted", "/u"), answer(202, "Accepted", "/u"), answer(201, "Created")},
        4, 2);
    ASSERT_EQ(reqs.size(), 4u) << "10 bytes in chunks of at least 6: two PATCHes";
    EXPECT_NE(reqs[1].find("Content-Range: 0-5\r\n"), std::string::npos) << reqs[1];
    EXPECT_NE(reqs[2].find("Content-Range: 6-9\r\n"), std::string::npos) << reqs[2];
}

}  // namespace
}  // namespace berth::registry
