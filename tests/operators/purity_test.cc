// operators/ stays pure: no I/O libraries, no clocks, no threads.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace {

TEST(OperatorsPurity, NoIoClockOrThreadDependencies) {
  const std::filesystem::path dir = std::filesystem::path(CRM_SOURCE_DIR) / "operators";
  const char* forbidden[] = {"rdkafka", "rocksdb", "simdjson", "prometheus", "spdlog", "boost", "nlopt", "#include \"pipeline/", "#include \"config/",
                             "<chrono>", "<thread>", "<mutex>", "<fstream>", "<iostream>", "::now()",
                             "time(nullptr)", "rand("};
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const auto ext = entry.path().extension();
    if (ext != ".h" && ext != ".cc") continue;
    ++files;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    for (const char* f : forbidden) {
      EXPECT_EQ(text.str().find(f), std::string::npos) << entry.path() << " uses " << f;
    }
  }
  EXPECT_GT(files, 10);
}

}  // namespace
