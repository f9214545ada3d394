#include "cli/runtime/table.hpp"

#include <gtest/gtest.h>

namespace berth::cli {
namespace {

// Expected output written out by hand from Go's text/tabwriter rules with
// minwidth 12, padding 3 (what runc's `list` and `ps` use): a column is as wide
// as its widest cell plus 3, but at least 12; the last cell of a line is not padded.

TEST(Table, ShortCellsGetTheMinimumWidth) {
    Table t({"ID", "PID", "STATUS"});
    t.add({"a", "1", "running"});
    EXPECT_EQ(t.render(),
              "ID          PID         STATUS\n"
              "a           1           running\n");
}

TEST(Table, WideCellWidensItsWholeColumnByPadding3) {
    Table t({"ID", "PID", "STATUS"});
    t.add({"a-very-long-container-id", "12345", "running"});  // 24 characters
    t.add({"b", "7", "stopped"});
    std::string id_col(27, ' ');
    EXPECT_EQ(t.render(), "ID" + id_col.substr(2) + "PID         STATUS\n" +
                              "a-very-long-container-id   12345       running\n" + "b" +
                              id_col.substr(1) + "7           stopped\n");
}

TEST(Table, CellOfExactlyNineCharactersStillFitsTheMinimum) {
    // 9 + 3 == 12: the boundary where padding starts to widen a column.
    Table t({"123456789", "x"});
    t.add({"1234567890", "y"});
    EXPECT_EQ(t.render(),
              "123456789    x\n"
              "1234567890   y\n");
}

TEST(Table, EmptyCellsArePaddedAndTheLastColumnIsNot) {
    Table t({"ID", "OWNER"});
    t.add({"", ""});
    t.add({"c", "a-long-owner-name-that-is-not-padded"});
    EXPECT_EQ(t.render(),
              "ID          OWNER\n"
              "            \n"
              "c           a-long-owner-name-that-is-not-padded\n");
}

TEST(Table, HeaderOnly) {
    Table t({"PID", "CMD"});
    EXPECT_EQ(t.render(), "PID         CMD\n");
}

}  // namespace
}  // namespace berth::cli
