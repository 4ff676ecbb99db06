// The HTTP endpoints beside the pipeline, over a real socket.
#include "pipeline/http_server.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>

#include "pipeline/state_json.h"
#include "pipeline/state_store.h"

namespace crm::pipeline {
namespace {

TEST(HttpServer, ServesMetricsHealthReadinessAndProfiles) {
  const auto dir = std::filesystem::temp_directory_path() / "crm-http-test";
  std::filesystem::remove_all(dir);
  auto store = StateStore::Open({dir.string(), 16 << 20, false});
  ASSERT_TRUE(store.ok());
  operators::CustomerState ann;
  ann.purchase_count = 3;
  ann.segment = "Loyal";
  CommitBatch batch;
  batch.customers.emplace_back("ann", &ann);
  ASSERT_TRUE((*store)->Commit(batch).ok());

  Metrics metrics;
  metrics.Alerts("high").Increment();
  ServiceHealth health;
  operators::ModelParams params;
  params.bgnbd = {0.243, 4.414, 0.793, 2.426};
  params.gamma_gamma = {6.25, 3.74, 15.44};
  const operators::ModelConfig model;
  auto profiles = [&store, &params, &model](const std::string& id) -> Result<std::optional<std::string>> {
    ASSIGN_OR_RETURN(auto state, (*store)->Get(id));
    if (!state) return std::optional<std::string>();
    return std::optional<std::string>(CustomerProfileJson(id, *state, model, &params, operators::EventTime{0}));
  };
  auto server = HttpServer::Start("127.0.0.1", 0, metrics, health, profiles);
  ASSERT_TRUE(server.ok()) << server.status().message();
  httplib::Client client("127.0.0.1", (*server)->port());

  auto m = client.Get("/metrics");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->status, 200);
  EXPECT_NE(m->body.find("crmstream_churn_alerts_total{priority=\"high\"} 1"), std::string::npos) << m->body;

  auto not_live = client.Get("/healthz");
  ASSERT_TRUE(not_live);
  EXPECT_EQ(not_live->status, 503);
  health.running = true;
  health.heartbeat_ms = ServiceHealth::SteadyNowMs();
  EXPECT_EQ(client.Get("/healthz")->status, 200);
  auto not_ready = client.Get("/readyz");
  EXPECT_EQ(not_ready->status, 503);
  EXPECT_NE(not_ready->body.find("no partitions assigned"), std::string::npos);
  health.assigned = true;
  EXPECT_EQ(client.Get("/readyz")->status, 200);
  health.last_commit_ok = false;
  EXPECT_EQ(client.Get("/readyz")->status, 503);

  auto profile = client.Get("/customers/ann");
  ASSERT_TRUE(profile);
  EXPECT_EQ(profile->status, 200);
  EXPECT_NE(profile->body.find("\"segment\":\"Loyal\""), std::string::npos) << profile->body;
  EXPECT_NE(profile->body.find("\"purchase_count\":3"), std::string::npos);
  EXPECT_NE(profile->body.find("\"relationship\":\"apostle\""), std::string::npos) << profile->body;
  EXPECT_NE(profile->body.find("\"fitted\":true,\"p_alive\":"), std::string::npos) << profile->body;
  EXPECT_NE(profile->body.find("\"clv\":"), std::string::npos) << profile->body;
  EXPECT_EQ(client.Get("/customers/nobody")->status, 404);

  (*server)->Stop();
  server->reset();
  store->reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace crm::pipeline
