#!/usr/bin/env bash
# Writes an ONNX model of the diabetes data (Tribuo's least-squares fit, exported with the metadata
# mlqueue reads) and the data with its columns in the model's order, for benchmarks and trials:
#   bash bench/onnx-model.sh DIR     # DIR/diabetes.onnx, DIR/diabetes-model-order.csv
# Then, e.g.: MODEL_ARGS="--model DIR/diabetes.onnx" bash bench/gateway.sh
#             ./mlqueue demo --model DIR/diabetes.onnx --data DIR/diabetes-model-order.csv --target target
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${1:?usage: bench/onnx-model.sh DIR}"
# shellcheck source=../scripts/find-java.sh
. "$root/scripts/find-java.sh"
mlqueue_find_java
[ -f "$root/app/target/mlqueue.jar" ] || (cd "$root" && mvn -B -q -DskipTests package)
mkdir -p "$dir"
# The class path through the environment, not -cp: ONNX Runtime crashes on a long command line
# (docs/MODEL_FORMAT.md), and Tribuo's export loads it.
CLASSPATH="$(printf '%s:' "$root"/app/target/lib/*.jar)" \
  "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED \
  "$root/bench/onnx/ExportDiabetesOnnx.java" "$dir/diabetes.onnx" "$dir/diabetes-model-order.csv"
