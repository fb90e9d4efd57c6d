"""Not a test: the measurement behind bots/max/README.md, «maxapi or a thin parser».

Run from the repository in a scratch virtualenv (never the project's .venv):
    python3 -m venv /tmp/venv-maxapi && /tmp/venv-maxapi/bin/pip install maxapi==1.2.3 pyyaml
    /tmp/venv-maxapi/bin/python tests/max/maxapi_measure.py
"""

import copy
import glob
import json
import os
import pathlib
import sys
import timeit

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
from maxapi.types.updates import UpdateUnionAdapter

from bots.max.updates import parse_update

files = sorted(
    glob.glob(str(pathlib.Path(__file__).resolve().parents[1] / "payloads" / "max" / "*.json"))
)
bodies = {os.path.basename(f)[:-5]: json.loads(pathlib.Path(f).read_text("utf-8")) for f in files}


def maxapi_ok(body):
    try:
        UpdateUnionAdapter.validate_python(body)
        return True, ""
    except Exception as e:
        return False, type(e).__name__ + ": " + str(e).splitlines()[0][:90]


print("== recorded payloads")
fails = []
for name, body in bodies.items():
    ok, why = maxapi_ok(body)
    if not ok:
        fails.append((name, why))
print(f"maxapi validated {len(bodies) - len(fails)}/{len(bodies)}")
for n, w in fails:
    print("  refused:", n, "|", w)
ours_err = []
for name, body in bodies.items():
    try:
        parse_update(body)
    except Exception as e:
        ours_err.append((name, repr(e)))
print(f"thin parser: {len(bodies) - len(ours_err)}/{len(bodies)} without error", ours_err)

# what maxapi keeps of contacts and callbacks
for name in (
    "built_contact_own",
    "built_contact_legacy_tam_info",
    "live_message_created_contact_empty_vcard",
):
    try:
        m = UpdateUnionAdapter.validate_python(bodies[name])
        att = m.message.body.attachments
        print(
            name,
            "->",
            [type(a).__name__ for a in att],
            [
                getattr(getattr(a, "payload", None), "max_info", "?") and "max_info kept"
                for a in att
            ],
        )
    except Exception as e:
        print(name, "-> refused", str(e).splitlines()[0][:80])

print("== mutations of the parsed kinds")


def mutations(body):
    kind = body.get("update_type")
    out = []
    b = copy.deepcopy(body)
    b.pop("timestamp", None)
    out.append(("no timestamp", b))
    if kind == "message_created":
        b = copy.deepcopy(body)
        b["message"]["sender"]["user_id"] = str(b["message"]["sender"]["user_id"])
        out.append(("user_id as string", b))
        b = copy.deepcopy(body)
        b["message"]["recipient"].pop("chat_type", None)
        out.append(("no chat_type", b))
        b = copy.deepcopy(body)
        b["message"]["body"].pop("mid", None)
        b["message"]["body"].pop("seq", None)
        out.append(("no mid/seq", b))
        b = copy.deepcopy(body)
        b["message"].pop("timestamp", None)
        out.append(("no message.timestamp", b))
        b = copy.deepcopy(body)
        b["message"]["sender"].pop("first_name", None)
        out.append(("no first_name", b))
        b = copy.deepcopy(body)
        b["message"]["body"]["attachments"] = [{"type": "poll", "payload": {"q": 1}}]
        out.append(("unknown attachment type", b))
        b = copy.deepcopy(body)
        b["message"]["recipient"]["chat_type"] = "supergroup"
        out.append(("new chat_type", b))
    if kind == "message_callback":
        b = copy.deepcopy(body)
        b["callback"].pop("user", None)
        out.append(("callback without user", b))
        b = copy.deepcopy(body)
        b["message"] = None
        out.append(("message null", b))
        b = copy.deepcopy(body)
        b["callback"].pop("timestamp", None)
        out.append(("no callback.timestamp", b))
    if kind in ("bot_started", "bot_stopped"):
        b = copy.deepcopy(body)
        b["user"] = {"user_id": b["user"]["user_id"]}
        out.append(("user with id only", b))
        b = copy.deepcopy(body)
        b.pop("chat_id", None)
        out.append(("no chat_id", b))
    return out


base = [n for n in bodies if parse_update(bodies[n]).inbound is not None]
total = ma = ours = 0
per = {}
for name in base:
    for label, body in mutations(bodies[name]):
        total += 1
        ok, _ = maxapi_ok(body)
        ma += ok
        try:
            p = parse_update(body)
            got = p.inbound is not None or label == "new chat_type"
        except Exception:
            got = False
        ours += got
        per.setdefault(label, [0, 0, 0])
        per[label][0] += 1
        per[label][1] += ok
        per[label][2] += got
print(
    f"mutated bodies: {total}; maxapi validated {ma}; "
    f"thin parser gave an event (or rightly ignored) {ours}"
)
for label, (n, a, o) in per.items():
    print(f"  {label:25} maxapi {a}/{n}  thin {o}/{n}")

print("== speed (parse only, same bodies that both take)")
both = [b for b in bodies.values() if maxapi_ok(b)[0]]
n = 2000
t_ma = timeit.timeit(lambda: [UpdateUnionAdapter.validate_python(b) for b in both], number=n) / (
    n * len(both)
)
t_ours = timeit.timeit(lambda: [parse_update(b) for b in both], number=n) / (n * len(both))
print(
    f"per update: maxapi {t_ma * 1e6:.1f} µs, thin {t_ours * 1e6:.1f} µs ({len(both)} bodies x {n})"
)
