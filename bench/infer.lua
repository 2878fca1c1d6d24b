-- wrk script: POST one 10-feature instance to the gateway's Open Inference API, as one [1, 10]
-- FP64 tensor: the same row as predict.lua, so the two APIs are compared on the same work.
--   wrk -t2 -c64 -d10s --latency -s bench/infer.lua http://127.0.0.1:8080/v2/models/diabetes-ols/infer
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"inputs": [{"name": "input-0", "shape": [1, 10], "datatype": "FP64", "data": '
  .. '[0.0380759064334241, 0.0506801187398187, 0.0616962065186885, '
  .. '0.0218723549949558, -0.0442234984244464, -0.0348207628376986, -0.0434008456520269, '
  .. '-0.00259226199818282, 0.0199084208763183, -0.0176461251598052]}]}'

function done(summary, latency, requests)
  io.write(string.format(
    "answers not 2xx/3xx: %d, socket errors: %d; p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n",
    summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
