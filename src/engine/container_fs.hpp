// The container filesystem endpoints of the Docker API over the daemon's model:
// changes (docker diff), export, archive (docker cp both ways) and commit.
//
// A running container is reached through its init's /proc/<pid>/root (the view its
// processes have, bind mounts included) or, for export, its mounted rootfs, as
// docker exports the layers alone. A stopped one gets a private overlay of its
// layers, mounted only long enough to open its root and then detached: the open
// fd keeps it alive, nothing stays mounted if the daemon dies. Its op lock is held
// meanwhile (ContainerService::with_op_held), so it can't start on the same
// upper directory.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "base/json.hpp"
#include "base/result.hpp"
#include "base/stream.hpp"
#include "engine/container_changes.hpp"
#include "engine/container_extract.hpp"
#include "engine/container_path.hpp"

namespace berth::engine {

class Daemon;

// Called once the request is known to succeed, to start the response: returns
// where the body goes, or nullptr when no body is wanted (HEAD).
using StartBody = std::function<ByteWriter*()>;
using StartArchive = std::function<ByteWriter*(const PathStat&)>;

struct ArchiveUpload {
    std::string path;  // the destination directory, as the client gave it
    bool no_overwrite_dir_non_dir = false;
    bool copy_uid_gid = false;
};

struct CommitRequest {
    std::string repo, tag, comment, author;
    bool pause = true;
    std::vector<std::string> changes;  // Dockerfile instructions
    Json config;                       // a Config to merge (object), or null
};

class ContainerFs {
  public:
    explicit ContainerFs(Daemon& d) : d_(d) {}

    Result<std::vector<FsChange>> changes(const std::string& ref);
    // Writes the container's root filesystem as a tar. Event "export".
    Result<void> export_rootfs(const std::string& ref, const StartBody& start);
    // Stats `path` in the container ("Could not find the file ..." when missing)
    // and writes the tar of it. Event "archive-path".
    Result<void> archive(const std::string& ref, const std::string& path, const StartArchive& start);
    // Unpacks `tar` into the existing directory `up.path`. Event "extract-to-dir".
    Result<void> extract(const std::string& ref, const ArchiveUpload& up, ByteReader& tar);
    // A new image: the container's image plus its upper directory as one more
    // layer, with the container's config. Returns its ID. Events "commit" (and the
    // image's "tag").
    Result<std::string> commit(const std::string& ref, const CommitRequest& req);

  private:
    Daemon& d_;
};

}  // namespace berth::engine
