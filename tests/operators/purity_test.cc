// operators/ stays pure: no I/O libraries, no clocks, no threads, and of the
// project's own code only operators/ itself.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace {

TEST(OperatorsPurity, NoIoClockOrThreadDependencies) {
  const std::filesystem::path dir = std::filesystem::path(CRM_SOURCE_DIR) / "operators";
  const char* forbidden[] = {"rdkafka", "rocksdb", "simdjson", "prometheus", "spdlog", "boost", "nlopt",
                             "<chrono>", "<thread>", "<mutex>", "<fstream>", "<iostream>", "::now()",
                             "time(nullptr)", "rand(", "<pipeline/", "<config/"};
  int files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    const auto ext = entry.path().extension();
    if (ext != ".h" && ext != ".cc") continue;
    ++files;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    for (const char* f : forbidden) {
      EXPECT_EQ(text.str().find(f), std::string::npos) << entry.path() << " uses " << f;
    }
    // Quoted includes are the project's own headers: operators/ only (not
    // pipeline/, config/, tests/, bench/ or anything added later).
    std::istringstream lines(text.str());
    for (std::string line; std::getline(lines, line);) {
      const size_t at = line.find("#include \"");
      if (at == std::string::npos) continue;
      EXPECT_EQ(line.compare(at + 10, 10, "operators/"), 0) << entry.path() << ": " << line;
    }
  }
  EXPECT_GT(files, 10);
}

}  // namespace
