"""Every query of the Grafana dashboard returns data from a real Prometheus
scraping a running service with traffic and fitted model parameters; the
dashboard takes its Prometheus from the ${datasource} variable; with the
alert rules loaded, CrmstreamDown is not active while the service runs.

usage: dashboard_test.py CRMSTREAM_BINARY DASHBOARD_JSON RULES_YML
"""

import json
import os
import sys
import tempfile
import time

import obs_support as obs

PARAMS = {"bgnbd": {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426},
          "gamma_gamma": {"p": 6.25, "q": 3.74, "gamma": 15.44}, "time_unit": "weeks"}
# What Grafana puts in place of the dashboard's variables.
SUBSTITUTIONS = {"$__rate_interval": "1m", "$instance": ".*"}


def dashboard_queries(path):
    """Checks the datasource wiring; returns [(panel title, expr)]."""
    with open(path) as f:
        dashboard = json.load(f)
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    ds = variables.get("datasource", {})
    obs.check(ds.get("type") == "datasource" and ds.get("query") == "prometheus",
              "a 'datasource' template variable of Prometheus datasources")
    queries = []
    for panel in dashboard["panels"]:
        if panel["type"] == "row":
            continue
        obs.check(panel.get("datasource", {}).get("uid") == "${datasource}",
                  f"panel '{panel['title']}' uses ${{datasource}}")
        obs.check(panel.get("targets"), f"panel '{panel['title']}' has queries")
        for target in panel["targets"]:
            obs.check(target.get("datasource", {}).get("uid") == "${datasource}",
                      f"a query of '{panel['title']}' uses ${{datasource}}")
            queries.append((panel["title"], target["expr"]))
    return queries


def substitute(expr):
    for variable, value in SUBSTITUTIONS.items():
        expr = expr.replace(variable, value)
    obs.check("$" not in expr, f"unknown variable in {expr}")
    return expr


def main():
    binary, dashboard_path, rules = sys.argv[1:4]
    queries = dashboard_queries(dashboard_path)
    with tempfile.TemporaryDirectory(prefix="crm-obs-dash-") as tmp:
        params = os.path.join(tmp, "params.json")
        with open(params, "w") as f:
            json.dump(PARAMS, f)
        broker, bootstrap = obs.start_broker(binary, tmp)
        port = obs.free_port()
        config = obs.write_service_config(tmp, bootstrap, port, f'\n[model]\nparams_file = "{params}"\n')
        now_s = int(time.time())
        for topic, records in obs.input_events(60, now_s, batch=0).items():
            obs.kcat_produce(bootstrap, topic, records)
        service = obs.Child([binary, "run", "--config", config], os.path.join(tmp, "service.log"))
        prometheus = None
        try:
            prometheus = obs.Prometheus(tmp, f"127.0.0.1:{port}", [os.path.abspath(rules)])

            def consumed():
                obs.check(service.alive(), f"service exited:\n{service.log_tail()}")
                result = prometheus.query('sum(crmstream_events_consumed_total{result="ok"})')
                return result and float(result[0]["value"][1]) > 0
            obs.poll(consumed, 30, "Prometheus to scrape processed events")
            # A second batch after the first scrapes: the rates see traffic.
            for topic, records in obs.input_events(60, now_s, batch=1).items():
                obs.kcat_produce(bootstrap, topic, records)

            empty = list(queries)

            def all_answered():
                obs.check(service.alive(), f"service exited:\n{service.log_tail()}")
                empty[:] = [(title, expr) for title, expr in empty if not prometheus.query(substitute(expr))]
                return not empty
            try:
                obs.poll(all_answered, 45, "every dashboard query to return data")
            except obs.TestFailure as e:
                obs.fail(f"{e}; no data for:\n" + "\n".join(f"  {t}: {x}" for t, x in empty))
            rate = prometheus.query('sum(rate(crmstream_events_consumed_total{result="ok"}[1m]))')
            obs.check(rate and float(rate[0]["value"][1]) > 0, f"throughput over the last minute: {rate}")
            up = prometheus.query("crmstream_up")
            obs.check(up and up[0]["value"][1] == "1", f"crmstream_up as scraped: {up}")
            down = prometheus.query('ALERTS{alertname="CrmstreamDown"}')
            obs.check(not down, f"CrmstreamDown is active while the service runs: {down}")
            text = obs.http_get(f"http://127.0.0.1:{port}/metrics")
            obs.check(text is not None, "a last scrape")
            obs.promtool_check_metrics(text)
            print(f"{len(queries)} dashboard queries answered")
        finally:
            if prometheus:
                prometheus.stop()
            service.stop()
            broker.stop()


if __name__ == "__main__":
    obs.run_test(main)
