// A thin RAII layer over SQLite, berth's metadata database (image tags, layers, and
// later containers): one file under the data root, WAL journal, synchronous=FULL so a
// committed transaction survives a crash of the machine, foreign keys on.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/result.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace berth::image {

using SqlValue = std::variant<std::nullptr_t, std::int64_t, std::string>;

// One result row, read by column index.
class SqlRow {
  public:
    explicit SqlRow(sqlite3_stmt* stmt) : stmt_(stmt) {}
    std::string text(int col) const;
    std::int64_t integer(int col) const;
    bool is_null(int col) const;

  private:
    sqlite3_stmt* stmt_;
};

class SqliteDb {
  public:
    static Result<std::unique_ptr<SqliteDb>> open(const std::string& path);
    ~SqliteDb();
    SqliteDb(const SqliteDb&) = delete;
    SqliteDb& operator=(const SqliteDb&) = delete;

    // Runs statements without parameters or results (schema, pragmas).
    Result<void> exec_script(const std::string& sql);
    // Runs one statement with bound parameters (?1, ?2, ...), calling `on_row` per row.
    Result<void> exec(const std::string& sql, const std::vector<SqlValue>& params = {},
                      const std::function<void(const SqlRow&)>& on_row = nullptr);
    // Rows changed by the last INSERT/UPDATE/DELETE.
    std::int64_t changes() const;

    // Runs `body` in one IMMEDIATE transaction: all of it is committed or none.
    Result<void> transaction(const std::function<Result<void>()>& body);

  private:
    explicit SqliteDb(sqlite3* db) : db_(db) {}
    Error error(std::string_view what) const;
    sqlite3* db_;
};

}  // namespace berth::image
