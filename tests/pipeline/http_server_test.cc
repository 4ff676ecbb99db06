// The HTTP endpoints beside the pipeline, over a real socket: routes, hostile
// requests and customer ids, generic 500s, bearer-token authentication.
#include "pipeline/http_server.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "pipeline/http_auth.h"
#include "pipeline/http_customer_id.h"
#include "pipeline/state_json.h"
#include "pipeline/state_store.h"
#include "tests/pipeline/http_test_client.h"

namespace crm::pipeline {
namespace {

using testing::Exchange;
using testing::Get;

std::string Repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

// A store with a few customers and the profiles callback over it.
class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("crm-http-test-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::remove_all(dir_);
    auto store = StateStore::Open({dir_.string(), 16 << 20, false});
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(store).value();
    params_.bgnbd = {0.243, 4.414, 0.793, 2.426};
    params_.gamma_gamma = {6.25, 3.74, 15.44};
  }
  void TearDown() override {
    server_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  void Store(const std::string& id, int64_t purchases, const std::string& segment) {
    operators::CustomerState state;
    state.purchase_count = purchases;
    state.segment = segment;
    CommitBatch batch;
    batch.customers.emplace_back(id, &state);
    ASSERT_TRUE(store_->Commit(batch).ok());
  }

  CustomerProfiles Profiles() {
    return [this](const std::string& id) -> Result<std::optional<std::string>> {
      ASSIGN_OR_RETURN(auto state, store_->Get(id));
      if (!state) return std::optional<std::string>();
      return std::optional<std::string>(CustomerProfileJson(id, *state, model_, &params_, operators::EventTime{0}));
    };
  }

  int StartServer(HttpServerOptions options, CustomerProfiles profiles) {
    auto server = HttpServer::Start(options, metrics_, health_, std::move(profiles));
    EXPECT_TRUE(server.ok()) << server.status().message();
    if (!server.ok()) return -1;
    server_ = std::move(server).value();
    return server_->port();
  }

  std::filesystem::path dir_;
  std::unique_ptr<StateStore> store_;
  operators::ModelParams params_;
  const operators::ModelConfig model_{};
  Metrics metrics_;
  SystemClock clock_;
  ServiceHealth health_{clock_};
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerTest, ServesMetricsHealthReadinessAndProfiles) {
  Store("ann", 3, "Loyal");
  metrics_.Alerts("high").Increment();
  // The old signature still works (demo uses it).
  auto started = HttpServer::Start("127.0.0.1", 0, metrics_, health_, Profiles());
  ASSERT_TRUE(started.ok()) << started.status().message();
  server_ = std::move(started).value();
  const int port = server_->port();

  auto m = Get(port, "/metrics");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->status, 200);
  EXPECT_NE(m->body.find("crmstream_churn_alerts_total{priority=\"high\"} 1"), std::string::npos) << m->body;

  auto not_live = Get(port, "/healthz");
  ASSERT_TRUE(not_live);
  EXPECT_EQ(not_live->status, 503);
  health_.running = true;
  health_.Beat();
  EXPECT_EQ(Get(port, "/healthz")->status, 200);
  auto not_ready = Get(port, "/readyz");
  ASSERT_TRUE(not_ready);
  EXPECT_EQ(not_ready->status, 503);
  EXPECT_NE(not_ready->body.find("no partitions assigned"), std::string::npos);
  health_.assigned = true;
  EXPECT_EQ(Get(port, "/readyz")->status, 200);
  health_.last_commit_ok = false;
  EXPECT_EQ(Get(port, "/readyz")->status, 503);

  auto profile = Get(port, "/customers/ann");
  ASSERT_TRUE(profile);
  EXPECT_EQ(profile->status, 200);
  EXPECT_EQ(profile->Header("Content-Type"), "application/json");
  EXPECT_NE(profile->body.find("\"segment\":\"Loyal\""), std::string::npos) << profile->body;
  EXPECT_NE(profile->body.find("\"purchase_count\":3"), std::string::npos);
  EXPECT_NE(profile->body.find("\"relationship\":\"apostle\""), std::string::npos) << profile->body;
  EXPECT_NE(profile->body.find("\"fitted\":true,\"p_alive\":"), std::string::npos) << profile->body;
  EXPECT_NE(profile->body.find("\"clv\":"), std::string::npos) << profile->body;
  EXPECT_EQ(Get(port, "/customers/nobody")->status, 404);

  server_->Stop();
}

TEST_F(HttpServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  health_.running = true;
  health_.Beat();
  const int port = StartServer({}, nullptr);
  auto reply = Exchange(port,
                        "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                        "GET /healthz?probe=1 HTTP/1.1\r\nHost: x\r\n\r\n"
                        "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  std::string all = reply->head + reply->body;
  size_t count = 0;
  for (size_t pos = all.find("HTTP/1.1 200"); pos != std::string::npos; pos = all.find("HTTP/1.1 200", pos + 1)) {
    ++count;
  }
  EXPECT_EQ(count, 3u) << all;
}

TEST_F(HttpServerTest, AnswersHostileRequestsWithTheRightStatus) {
  const int port = StartServer({}, Profiles());
  EXPECT_EQ(Get(port, "/nowhere")->status, 404);
  EXPECT_EQ(Get(port, "/metricsx")->status, 404);
  auto post = Exchange(port, "POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405);
  EXPECT_EQ(post->Header("Allow"), "GET, HEAD");
  EXPECT_EQ(Exchange(port, "DELETE /customers/ann HTTP/1.1\r\nHost: x\r\n\r\n")->status, 405);

  auto head = Exchange(port, "HEAD /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 503);  // not live yet, but answered
  EXPECT_EQ(head->body, "");
  EXPECT_NE(head->Header("Content-Length"), "0");

  // 431 for a header over 8 KiB, whether one huge field or many.
  auto big = Get(port, "/healthz", "X-Big: " + std::string(9000, 'a') + "\r\n");
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 431);
  auto many = Get(port, "/healthz", Repeat("X-Many: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n", 400));
  ASSERT_TRUE(many);
  EXPECT_EQ(many->status, 431);
  auto long_target = Get(port, "/customers/" + std::string(10000, 'a'));
  ASSERT_TRUE(long_target);
  EXPECT_EQ(long_target->status, 431);

  // Garbage gets 400 and leaves the server answering.
  const std::string garbage[] = {
      std::string("\x00\x01\x02\xff\xfe garbage\r\n\r\n", 17),
      "GET\r\n\r\n",
      "GET /healthz HTTP/9.9\r\n\r\n",
      "GET /healthz HTTP/1.1\r\nBad Header Without Colon\r\n\r\n",
      "GET /healthz HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
      "GET /healthz HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
      "GET /healthz HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      std::string(20000, '\n'),
  };
  for (const std::string& bytes : garbage) {
    auto reply = Exchange(port, bytes, std::chrono::milliseconds(3000));
    if (reply) {
      EXPECT_TRUE(reply->status == 400 || reply->status == 431 || reply->status == 503) << reply->head;
    }
  }
  EXPECT_EQ(Exchange(port, "GET / HTTP/1.1\r\nConnection: close\r\n\r\n")->status, 404);
  EXPECT_EQ(Get(port, "/healthz")->status, 503);
}

TEST_F(HttpServerTest, CustomerIdsAreCharactersNotBytesAndMayHoldEscapedSlashes) {
  const std::string e_acute = "\xc3\xa9";
  const std::string sixty_four_e = Repeat(e_acute, 64);  // 64 characters, 128 bytes
  Store(sixty_four_e, 7, "Loyal");
  Store("a/b", 2, "New");
  Store("sp ace?#", 1, "New");
  const int port = StartServer({}, Profiles());

  auto raw = Get(port, "/customers/" + sixty_four_e);
  ASSERT_TRUE(raw);
  EXPECT_EQ(raw->status, 200) << raw->body;
  EXPECT_NE(raw->body.find("\"purchase_count\":7"), std::string::npos) << raw->body;
  auto escaped = Get(port, "/customers/" + Repeat("%C3%A9", 64));
  ASSERT_TRUE(escaped);
  EXPECT_EQ(escaped->status, 200);
  EXPECT_EQ(Get(port, "/customers/" + Repeat("%c3%a9", 64))->status, 200);
  EXPECT_EQ(Get(port, "/customers/" + Repeat(e_acute, 65))->status, 400);
  EXPECT_EQ(Get(port, "/customers/" + std::string(64, 'x'))->status, 404);  // valid length, unknown
  EXPECT_EQ(Get(port, "/customers/" + std::string(65, 'x'))->status, 400);

  auto slash = Get(port, "/customers/a%2Fb");
  ASSERT_TRUE(slash);
  EXPECT_EQ(slash->status, 200);
  EXPECT_NE(slash->body.find("\"purchase_count\":2"), std::string::npos) << slash->body;
  EXPECT_EQ(Get(port, "/customers/a%2fb")->status, 200);
  EXPECT_EQ(Get(port, "/customers/sp%20ace%3F%23")->status, 200);
  EXPECT_EQ(Get(port, "/customers/a/b")->status, 400);

  // Bad escapes and bad UTF-8 are 400, never a lookup.
  for (const char* bad : {"%", "%4", "%zz", "abc%G1", "%FF", "%C3", "%C0%AF", "%ED%A0%80", "%F4%90%80%80", "\xff"}) {
    auto reply = Get(port, std::string("/customers/") + bad);
    ASSERT_TRUE(reply) << bad;
    EXPECT_EQ(reply->status, 400) << bad << ": " << reply->body;
  }
  EXPECT_EQ(Get(port, "/customers/")->status, 400);
  EXPECT_EQ(Get(port, "/customers/%00")->status, 404);  // a valid one-character id nobody has
}

TEST_F(HttpServerTest, InternalErrorsGiveAGenericBody) {
  const int port = StartServer({}, [](const std::string&) -> Result<std::optional<std::string>> {
    return Status::IoError("rocksdb: /var/lib/crmstream/000042.sst: Corruption: block checksum mismatch");
  });
  auto reply = Get(port, "/customers/ann");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 500);
  EXPECT_EQ(reply->body, "internal error\n");
  EXPECT_EQ(reply->head.find("/var/lib"), std::string::npos);
  EXPECT_EQ(reply->head.find("rocksdb"), std::string::npos);
}

TEST_F(HttpServerTest, BearerTokenGuardsCustomersOnly) {
  Store("ann", 3, "Loyal");
  health_.running = true;
  health_.Beat();
  health_.assigned = true;
  HttpServerOptions options;
  options.auth_token = "s3cret-T0ken";
  const int port = StartServer(options, Profiles());

  auto missing = Get(port, "/customers/ann");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 401);
  EXPECT_EQ(missing->Header("WWW-Authenticate").rfind("Bearer", 0), 0u) << missing->head;
  EXPECT_EQ(missing->body.find("Loyal"), std::string::npos);
  for (const char* wrong : {"Bearer s3cret-T0ke", "Bearer s3cret-T0ken2", "Bearer S3CRET-T0KEN", "Basic s3cret-T0ken",
                            "s3cret-T0ken", "Bearer ", "Bearer"}) {
    auto reply = Get(port, "/customers/ann", std::string("Authorization: ") + wrong + "\r\n");
    ASSERT_TRUE(reply) << wrong;
    EXPECT_EQ(reply->status, 401) << wrong;
  }
  // Unauthenticated requests learn nothing about ids either.
  EXPECT_EQ(Get(port, "/customers/%zz")->status, 401);

  auto right = Get(port, "/customers/ann", "Authorization: Bearer s3cret-T0ken\r\n");
  ASSERT_TRUE(right);
  EXPECT_EQ(right->status, 200);
  EXPECT_NE(right->body.find("\"segment\":\"Loyal\""), std::string::npos);
  EXPECT_EQ(Get(port, "/customers/ann", "Authorization: bearer s3cret-T0ken\r\n")->status, 200);
  EXPECT_EQ(Get(port, "/customers/nobody", "Authorization: Bearer s3cret-T0ken\r\n")->status, 404);

  EXPECT_EQ(Get(port, "/healthz")->status, 200);
  EXPECT_EQ(Get(port, "/readyz")->status, 200);
  EXPECT_EQ(Get(port, "/metrics")->status, 200);
}

// ------------------------------------------------------------ pure helpers

TEST(HttpCustomerId, DecodesOneSegmentAndCountsCodePoints) {
  EXPECT_EQ(*CustomerIdFromPathSegment("ann"), "ann");
  EXPECT_EQ(*CustomerIdFromPathSegment("a%2Fb"), "a/b");
  EXPECT_EQ(*CustomerIdFromPathSegment("%25"), "%");
  EXPECT_EQ(*CustomerIdFromPathSegment("a+b"), "a+b");  // '+' is not a space in a path
  EXPECT_EQ(Utf8CodePoints("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"), 3u);
  EXPECT_FALSE(Utf8CodePoints("\xc3"));
  EXPECT_FALSE(Utf8CodePoints("\xe0\x80\xaf"));  // overlong
  EXPECT_FALSE(Utf8CodePoints("\xed\xbf\xbf"));  // surrogate
  EXPECT_FALSE(Utf8CodePoints("\xf5\x80\x80\x80"));
  EXPECT_FALSE(Utf8CodePoints("\x80"));
  EXPECT_TRUE(Utf8CodePoints("\xf4\x8f\xbf\xbf"));  // U+10FFFF
  EXPECT_FALSE(CustomerIdFromPathSegment("").ok());
  EXPECT_FALSE(CustomerIdFromPathSegment("a/b").ok());
  auto too_long = CustomerIdFromPathSegment(std::string(65, 'a'));
  ASSERT_FALSE(too_long.ok());
  EXPECT_NE(too_long.status().message().find("got 65"), std::string::npos);
}

TEST(HttpAuth, ComparesTheWholeBearerToken) {
  EXPECT_TRUE(BearerTokenMatches("Bearer abc", "abc"));
  EXPECT_TRUE(BearerTokenMatches("BEARER abc", "abc"));
  EXPECT_FALSE(BearerTokenMatches("Bearer abd", "abc"));
  EXPECT_FALSE(BearerTokenMatches("Bearer ab", "abc"));
  EXPECT_FALSE(BearerTokenMatches("Bearer abcd", "abc"));
  EXPECT_FALSE(BearerTokenMatches("Bearer ", ""));
  EXPECT_FALSE(BearerTokenMatches("", "abc"));
}

TEST(HttpAuth, TokenFileProblemsNameTheConfigKey) {
  const auto dir = std::filesystem::temp_directory_path() / "crm-http-token-test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto write = [&dir](const std::string& name, const std::string& content) {
    std::ofstream(dir / name, std::ios::binary) << content;
    return (dir / name).string();
  };
  auto good = LoadBearerToken(write("good", "  tok-123_ABC\n"));
  ASSERT_TRUE(good.ok()) << good.status().message();
  EXPECT_EQ(*good, "tok-123_ABC");

  for (const std::string& path : {(dir / "missing").string(), write("empty", ""), write("blank", " \n\t\n"),
                                  write("two", "tok en\n"), write("control", std::string("to\x01k", 4)),
                                  write("huge", std::string(5000, 'a')), dir.string()}) {
    auto loaded = LoadBearerToken(path);
    ASSERT_FALSE(loaded.ok()) << path;
    EXPECT_EQ(loaded.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(loaded.status().message().find("http.auth_token_file"), std::string::npos) << loaded.status().message();
  }

  config::HttpConfig http;
  EXPECT_EQ(HttpServerOptionsFromConfig(http)->auth_token, "");  // off by default
  EXPECT_EQ(HttpServerOptionsFromConfig(http)->max_connections, 4096);
  EXPECT_EQ(HttpServerOptionsFromConfig(http)->request_timeout, std::chrono::milliseconds(5000));
  http.auth_token_file = (dir / "missing").string();
  auto options = HttpServerOptionsFromConfig(http);
  ASSERT_FALSE(options.ok());
  EXPECT_EQ(options.status().code(), StatusCode::kInvalidArgument);  // command_run: exit 2
  EXPECT_NE(options.status().message().find("http.auth_token_file"), std::string::npos);
  http.auth_token_file = write("good2", "xyz\n");
  EXPECT_EQ(HttpServerOptionsFromConfig(http)->auth_token, "xyz");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace crm::pipeline
