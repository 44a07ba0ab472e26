"""A second Step Functions engine for the differential test: moto's port of LocalStack's ASL
interpreter, run in-process with `mock_aws(config={"stepfunctions": {"execute_state_machine": True}})`.

moto evaluates JSONata through a JVM bridge it does not ship, and invokes Lambda through its own
Lambda emulator (Docker). Both are routed to the parent node process instead, over this process's
stdin/stdout, one JSON object per line:

  node -> driver  {"call": n, "op": "reset"|"create"|"start"|"describe"|"history"|"success"|"failure"|"heartbeat", ...}
  driver -> node  {"reply": n, "ok": result} | {"reply": n, "error": message}
  driver -> node  {"call": "pN", "op": "jsonata", "expression": text}
                  {"call": "pN", "op": "invoke", "functionName": name, "payload": json}
  node -> driver  {"reply": "pN", "ok": value} | {"reply": "pN", "error": message}

moto is pinned (5.2.1): every internal patched here is checked first (it exists, with the
parameters it is called with); a drift exits 3 with what moved, so the test fails loudly instead
of comparing against something else. Nothing under site-packages is edited.

`python3 moto_driver.py --check` only runs those checks: exit 0 (ready), 2 (moto or its Step
Functions extra is not installed), 3 (moto is another version, or an internal moved).
"""

from __future__ import annotations

import datetime
import inspect
import os
import itertools
import json
import sys
import threading
from typing import Any

EXPECTED_MOTO_VERSION = "5.2.1"
REGION = "us-east-1"
ROLE_ARN = "arn:aws:iam::123456789012:role/riposte-differential"

EXIT_ABSENT = 2
EXIT_DRIFT = 3


class Drift(Exception):
    """A moto internal this driver patches is not where, or not what, it was in the pinned version."""


def _load():
    """Import moto and the internals to patch; ImportError means moto (or its extra) is absent."""
    import moto
    from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils
    from moto.stepfunctions.parser.asl.eval import states as states_module
    from moto.stepfunctions.parser.asl.eval import variable_store
    from moto.stepfunctions.parser.asl.jsonata import jsonata as jsonata_module

    return moto, jsonata_module, states_module, variable_store, lambda_eval_utils


def _expect_params(owner: Any, name: str, params: list[str]) -> None:
    where = f"{owner.__name__}.{name}"
    fn = getattr(owner, name, None)
    if fn is None or not callable(fn):
        raise Drift(f"{where} is gone")
    found = list(inspect.signature(fn).parameters)
    if found != params:
        raise Drift(f"{where} takes ({', '.join(found)}), expected ({', '.join(params)})")


def check_pins(moto, jsonata_module, states_module, variable_store, lambda_eval_utils) -> None:
    if moto.__version__ != EXPECTED_MOTO_VERSION:
        raise Drift(
            f"moto {moto.__version__} is installed; this differential test pins moto {EXPECTED_MOTO_VERSION} "
            f"(pip install 'moto[stepfunctions]=={EXPECTED_MOTO_VERSION}'), whose internals it patches"
        )
    if not hasattr(jsonata_module, "_eval_jsonata"):
        raise Drift(f"{jsonata_module.__name__}._eval_jsonata (the JSONata evaluator hook) is gone")
    _expect_params(jsonata_module, "eval_jsonata_expression", ["jsonata_expression"])
    _expect_params(jsonata_module, "encode_jsonata_variable_declarations", ["bindings"])
    # Both import the encoder by name: each module's own reference is what gets called.
    for module in (states_module, variable_store):
        if getattr(module, "encode_jsonata_variable_declarations", None) is not (
            jsonata_module.encode_jsonata_variable_declarations
        ):
            raise Drift(f"{module.__name__} no longer imports encode_jsonata_variable_declarations from {jsonata_module.__name__}")
    for name in ("_VARIABLE_REFERENCE_ASSIGNMENT_OPERATOR", "_VARIABLE_REFERENCE_ASSIGNMENT_STOP_SYMBOL"):
        if not hasattr(jsonata_module, name):
            raise Drift(f"{jsonata_module.__name__}.{name} is gone")
    _expect_params(lambda_eval_utils, "_invoke_lambda_function", ["parameters", "region", "state_credentials"])
    _expect_params(lambda_eval_utils, "execute_lambda_function_integration", ["env", "parameters", "region", "state_credentials"])


def _aws_timestamp(value: datetime.datetime | datetime.date) -> str:
    """Step Functions' context timestamps: UTC, milliseconds, `Z` (moto's encoder wrote isoformat's +00:00)."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    return value.isoformat()


class _AwsJsonEncoder(json.JSONEncoder):
    def default(self, o):
        if isinstance(o, (datetime.datetime, datetime.date)):
            return _aws_timestamp(o)
        return super().default(o)


def _encode_declarations(jsonata_module):
    assign = jsonata_module._VARIABLE_REFERENCE_ASSIGNMENT_OPERATOR
    stop = jsonata_module._VARIABLE_REFERENCE_ASSIGNMENT_STOP_SYMBOL

    def encode_jsonata_variable_declarations(bindings: dict[str, Any]) -> str:
        # moto wrote strings as f'"{value}"': a quote, backslash or newline in a value (every
        # CloudTrail field is attacker-controlled) broke the expression. JSON text is a JSONata literal.
        return "".join(
            f"{reference}{assign}{json.dumps(value, cls=_AwsJsonEncoder, separators=(',', ':'))}{stop}"
            for reference, value in bindings.items()
        )

    return encode_jsonata_variable_declarations


class Bridge:
    """Line-delimited JSON with the parent: its commands in, our calls to it out, matched by id."""

    def __init__(self) -> None:
        self._write_lock = threading.Lock()
        self._pending: dict[str, tuple[threading.Event, dict]] = {}
        self._pending_lock = threading.Lock()
        self._ids = itertools.count(1)

    def send(self, message: dict) -> None:
        line = json.dumps(message, cls=_AwsJsonEncoder, separators=(",", ":"))
        with self._write_lock:
            sys.stdout.write(line + "\n")
            sys.stdout.flush()

    def call(self, op: str, **fields: Any) -> Any:
        call_id = f"p{next(self._ids)}"
        done = threading.Event()
        slot: dict = {}
        with self._pending_lock:
            self._pending[call_id] = (done, slot)
        self.send({"call": call_id, "op": op, **fields})
        done.wait()
        if "error" in slot:
            raise RuntimeError(slot["error"])
        return slot.get("ok")

    def answered(self, message: dict) -> None:
        with self._pending_lock:
            done, slot = self._pending.pop(str(message["reply"]))
        slot.update(message)
        done.set()


def install(bridge: Bridge, jsonata_module, states_module, variable_store, lambda_eval_utils) -> None:
    def eval_jsonata(expression: str) -> Any:
        try:
            return bridge.call("jsonata", expression=expression)
        except RuntimeError as error:
            raise jsonata_module.JSONataException("UNKNOWN", str(error)) from None

    jsonata_module._eval_jsonata = eval_jsonata
    encoder = _encode_declarations(jsonata_module)
    jsonata_module.encode_jsonata_variable_declarations = encoder
    states_module.encode_jsonata_variable_declarations = encoder
    variable_store.encode_jsonata_variable_declarations = encoder

    def invoke_lambda_function(parameters: dict, region: str, state_credentials: Any) -> dict:
        payload = parameters.get("Payload")
        text = payload.decode("utf-8") if isinstance(payload, bytes) else payload
        answer = bridge.call(
            "invoke", functionName=parameters["FunctionName"], payload=json.loads(text) if text else {}
        )
        # What boto3's Lambda invoke returns, Payload already parsed (as moto's own helper does).
        response = {"StatusCode": 200, "ExecutedVersion": "$LATEST", "Payload": answer["payload"]}
        if answer.get("functionError"):
            response["FunctionError"] = answer["functionError"]
        return response

    lambda_eval_utils._invoke_lambda_function = invoke_lambda_function


def _event(event: dict) -> dict:
    return {**event, "timestamp": _aws_timestamp(event["timestamp"])}


def serve(bridge: Bridge, moto) -> None:
    import boto3
    import requests

    with moto.mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        sfn = boto3.client(
            "stepfunctions", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing"
        )

        def run(message: dict) -> Any:
            op = message["op"]
            if op == "reset":
                # moto's documented reset API (in-process under mock_aws): every resource goes.
                response = requests.post("http://motoapi.amazonaws.com/moto-api/reset", timeout=30)
                response.raise_for_status()
                return None
            if op == "create":
                return sfn.create_state_machine(
                    name=message["name"], definition=json.dumps(message["definition"]), roleArn=ROLE_ARN
                )["stateMachineArn"]
            if op == "start":
                return sfn.start_execution(
                    stateMachineArn=message["stateMachineArn"], name=message["name"], input=json.dumps(message["input"])
                )["executionArn"]
            if op == "describe":
                found = sfn.describe_execution(executionArn=message["executionArn"])
                described = {"status": found["status"]}
                for key in ("output", "error", "cause"):
                    if key in found:
                        described[key] = found[key]
                return described
            if op == "history":
                events = sfn.get_execution_history(executionArn=message["executionArn"], maxResults=1000)["events"]
                return [_event(event) for event in events]
            if op == "success":
                sfn.send_task_success(taskToken=message["taskToken"], output=json.dumps(message["output"]))
                return None
            if op == "failure":
                sfn.send_task_failure(taskToken=message["taskToken"], error=message["error"], cause=message.get("cause", ""))
                return None
            if op == "heartbeat":
                sfn.send_task_heartbeat(taskToken=message["taskToken"])
                return None
            raise ValueError(f"unknown op {op!r}")

        def handle(message: dict) -> None:
            try:
                bridge.send({"reply": message["call"], "ok": run(message)})
            except Exception as error:  # noqa: BLE001 - every failure goes back to the caller, named
                bridge.send({"reply": message["call"], "error": f"{type(error).__name__}: {error}"})

        bridge.send({"ready": True, "moto": moto.__version__})
        for line in sys.stdin:
            if not line.strip():
                continue
            message = json.loads(line)
            if "reply" in message:
                bridge.answered(message)
            else:
                # A command may wait on calls back to node (whose replies this loop reads).
                threading.Thread(target=handle, args=(message,), daemon=True).start()


def main() -> int:
    try:
        loaded = _load()
    except ImportError as error:
        print(json.dumps({"absent": f"moto with its Step Functions extra is not installed: {error}"}), flush=True)
        return EXIT_ABSENT
    try:
        check_pins(*loaded)
    except Drift as drift:
        print(json.dumps({"drift": str(drift)}), flush=True)
        return EXIT_DRIFT
    if sys.argv[1:] == ["--check"]:
        print(json.dumps({"ready": True, "moto": loaded[0].__version__}), flush=True)
        return 0
    bridge = Bridge()
    install(bridge, *loaded[1:])
    serve(bridge, loaded[0])
    # stdin closed: the test is done. Executions still waiting (on a callback, a timer) are
    # moto's threads; they must not keep the process alive.
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
