#!/usr/bin/env python3
"""MLflow model directories for mlqueue's import tests, written as MLflow writes them.

Run from this directory with Debian's python3-onnx (1.12), python3-numpy, python3-yaml and
python3-sklearn (no MLflow: it cannot be installed here):
    /usr/bin/python3 make_fixtures.py
The MLmodel files follow MLflow's documentation and its code (mlflow/onnx/__init__.py
save_model, mlflow/models/model.py, mlflow/models/utils.py _Example): keys sorted as
yaml.safe_dump writes them, the signature as JSON strings, the input example in pandas' split
orient. The ONNX graph is OLS of mlqueue's built-in diabetes data (numpy's least squares) in
double precision, as skl2onnx would write a LinearRegression: one input [N, 10], one output [N, 1].
"""
import json
import pathlib
import pickle

import numpy as np
import onnx
import yaml
from onnx import TensorProto, helper, numpy_helper
from sklearn.linear_model import LinearRegression

here = pathlib.Path(__file__).resolve().parent
data = here.parents[4] / "data/src/main/resources/io/mlqueue/data/diabetes.csv"
table = np.genfromtxt(data, delimiter=",", names=True)
features = [n for n in table.dtype.names if n != "target"]
X = np.column_stack([table[n] for n in features])
y = table["target"]
design = np.column_stack([X, np.ones(len(y))])
solution = np.linalg.lstsq(design, y, rcond=None)[0]
coef, intercept = solution[:-1], solution[-1]


def ols_graph(dtype, np_type):
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["input", "coef"], ["product"]),
         helper.make_node("Add", ["product", "intercept"], ["variable"])],
        "diabetes_ols",
        [helper.make_tensor_value_info("input", dtype, ["N", len(features)])],
        [helper.make_tensor_value_info("variable", dtype, ["N", 1])],
        [numpy_helper.from_array(coef.reshape(-1, 1).astype(np_type), "coef"),
         numpy_helper.from_array(np.array([intercept], dtype=np_type), "intercept")])
    model = helper.make_model(graph, producer_name="make_fixtures.py",
                              opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def columns(names, kind):
    return json.dumps([{"type": kind, "name": n, "required": True} for n in names])


def write(name, mlmodel, files):
    d = here / name
    d.mkdir(exist_ok=True)
    with open(d / "MLmodel", "w") as f:
        yaml.safe_dump(mlmodel, stream=f, default_flow_style=False)
    for file, content in files.items():
        (d / file).write_bytes(content)


onnx_bytes = ols_graph(TensorProto.DOUBLE, np.float64).SerializeToString()
example = json.dumps({"columns": features, "data": X[:2].tolist()}).encode()
serving = json.dumps({"dataframe_split": {"columns": features, "data": X[:2].tolist()}},
                     indent=2).encode()
env = {"conda": "conda.yaml", "virtualenv": "python_env.yaml"}
example_info = {"artifact_path": "input_example.json", "pandas_orient": "split",
                "serving_input_path": "serving_input_example.json", "type": "dataframe"}
common = {
    "artifact_path": "model",
    "mlflow_version": "2.17.2",
    "model_size_bytes": len(onnx_bytes),
    "model_uuid": "2c7f1d3b0a5e4f6b9c8d7e6f5a4b3c2d",
    "run_id": "8f4e2a1b9c7d4e3f8a6b5c4d3e2f1a0b",
    "utc_time_created": "2024-10-03 14:22:05.123456",
}

# 1. As mlflow.onnx.save_model(onnx_model, path, signature=infer_signature(X_df, y_df),
#    input_example=X_df.head(2)) writes it: an onnx flavor and a python_function flavor.
write("onnx-flavor", {
    **common,
    "flavors": {
        "onnx": {"code": None, "data": "model.onnx", "onnx_version": onnx.__version__,
                 "providers": ["CUDAExecutionProvider", "CPUExecutionProvider"]},
        "python_function": {"data": "model.onnx", "env": env, "loader_module": "mlflow.onnx",
                            "python_version": "3.11.2"},
    },
    "saved_input_example_info": example_info,
    "signature": {"inputs": columns(features, "double"),
                  "outputs": json.dumps([{"type": "double", "name": "target", "required": True}]),
                  "params": None},
}, {"model.onnx": onnx_bytes, "input_example.json": example,
    "serving_input_example.json": serving})

# 2. Only a python_function flavor whose data is the ONNX file, with a tensor-based signature.
write("pyfunc-onnx", {
    **common,
    "flavors": {"python_function": {"data": "model.onnx", "env": env,
                                    "loader_module": "mlflow.onnx", "python_version": "3.11.2"}},
    "signature": {
        "inputs": json.dumps([{"type": "tensor", "tensor-spec":
                               {"dtype": "float64", "shape": [-1, len(features)]}}]),
        "outputs": json.dumps([{"type": "tensor", "tensor-spec":
                                {"dtype": "float64", "shape": [-1, 1]}}]),
        "params": None},
}, {"model.onnx": onnx_bytes})

# 3. A signature that does not match the graph: three columns for a graph of ten.
write("signature-mismatch", {
    **common,
    "flavors": {"onnx": {"code": None, "data": "model.onnx", "onnx_version": onnx.__version__,
                         "providers": ["CPUExecutionProvider"]}},
    "signature": {"inputs": columns(["age", "bmi", "bp"], "double"),
                  "outputs": json.dumps([{"type": "double", "name": "target"}]),
                  "params": None},
}, {"model.onnx": onnx_bytes})

# 4. As mlflow.sklearn.save_model writes a scikit-learn model: a pickle and no ONNX at all
#    (MLflow's documented example MLmodel, with today's fields).
sk = LinearRegression().fit(X, y)
write("sklearn-pickle", {
    **common,
    "flavors": {
        "python_function": {"env": env, "loader_module": "mlflow.sklearn",
                            "model_path": "model.pkl", "predict_fn": "predict",
                            "python_version": "3.11.2"},
        "sklearn": {"code": None, "pickled_model": "model.pkl",
                    "serialization_format": "cloudpickle", "sklearn_version": "1.2.1"},
    },
    "signature": {"inputs": columns(features, "double"),
                  "outputs": json.dumps([{"type": "tensor", "tensor-spec":
                                          {"dtype": "float64", "shape": [-1]}}]),
                  "params": None},
}, {"model.pkl": pickle.dumps(sk)})

# The expected predictions of the OLS graph for every row, for the import test.
(here / "expected_predictions.json").write_text(
    json.dumps({"features": features, "predictions": (design @ solution).tolist()}) + "\n")
print("wrote", sorted(p.name for p in here.iterdir() if p.is_dir()))
