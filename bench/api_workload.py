"""The IAM API benchmark's boto3 workload (scripts/bench-api.sh runs it against Gatehouse and
against moto's server, one after the other, in one run).

boto3 makes every request: it serializes the parameters and signs them with SigV4, exactly as in
a script. So that the measurement is of the server, not of boto3's own speed (a Python client
manages a few hundred calls a second on this machine, less than either server can answer), the
signed requests are captured as boto3 is about to send them and replayed by wrk at 16
connections. A signature is valid for 15 minutes, so each operation's requests are made right
before its run. Operations (each run on its own):

  CreateUser                 distinct new users (bench-new-00000, ...); only 2xx answers count
  GetUser                    the 1,000 users bench-0000 ... bench-0999 in turn
  ListUsers                  all 1,000 in one page (MaxItems=1000)
  AttachUserPolicy           a customer managed policy to each of the 1,000 users in turn
  SimulatePrincipalPolicy    iam:ListUsers and iam:CreateUser for each user in turn

Usage:
  api_workload.py setup                 creates the 1,000 users and the policy (plain boto3 calls)
  api_workload.py prepare OP COUNT FILE writes COUNT signed requests of OP as a Lua table for wrk
"""

import json
import os
import sys

import boto3
import botocore.config

ENDPOINT = os.environ["BENCH_ENDPOINT"]
USERS = 1000
POLICY = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}]}
)


def client():
    return boto3.client(
        "iam",
        endpoint_url=ENDPOINT,
        region_name="us-east-1",
        aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=os.environ["AWS_SECRET_ACCESS_KEY"],
        config=botocore.config.Config(retries={"max_attempts": 0}),
    )


def name(i):
    return f"bench-{i:04}"


def setup():
    iam = client()
    for i in range(USERS):
        iam.create_user(UserName=name(i))
    arn = iam.create_policy(PolicyName="bench-policy", PolicyDocument=POLICY)["Policy"]["Arn"]
    users = {u["UserName"]: u["Arn"] for u in iam.list_users(MaxItems=1000)["Users"]}
    json.dump({"policy": arn, "arns": [users[name(i)] for i in range(USERS)]}, sys.stdout)


class Captured(Exception):
    def __init__(self, request):
        super().__init__("captured")
        self.request = request


def capture(request, **_):
    raise Captured(request)


def lua_string(data):
    if isinstance(data, str):
        data = data.encode()
    return '"' + "".join(chr(b) if chr(b).isalnum() or chr(b) in " -_.:/=,;" else f"\\{b:03d}" for b in data) + '"'


def prepare(op, count, out, context):
    iam = client()
    iam.meta.events.register("before-send.iam.*", capture)
    calls = {
        "CreateUser": lambda i: iam.create_user(UserName=f"bench-new-{i:05}"),
        "GetUser": lambda i: iam.get_user(UserName=name(i % USERS)),
        "ListUsers": lambda i: iam.list_users(MaxItems=1000),
        "AttachUserPolicy": lambda i: iam.attach_user_policy(UserName=name(i % USERS), PolicyArn=context["policy"]),
        "SimulatePrincipalPolicy": lambda i: iam.simulate_principal_policy(
            PolicySourceArn=context["arns"][i % USERS], ActionNames=["iam:ListUsers", "iam:CreateUser"]
        ),
    }
    # LuaJIT (wrk's Lua) allows at most 65,536 constants per function, so the requests are
    # added to the table by functions of 1,000 requests each.
    with open(out, "w") as f:
        f.write("local all = {}\n")
        for i in range(count):
            if i % 1000 == 0:
                f.write("end)()\n" if i else "")
                f.write(";(function()\n")
            try:
                calls[op](i)
            except Captured as c:
                r = c.request
                headers = ", ".join(
                    f"[{lua_string(k)}] = {lua_string(v)}" for k, v in r.headers.items() if k.lower() != "content-length"
                )
                body = r.body or b""
                path = r.url.split(ENDPOINT, 1)[1] or "/"
                f.write(f"all[#all + 1] = {{ method = {lua_string(r.method)}, path = {lua_string(path)}, headers = {{ {headers} }}, body = {lua_string(body)} }}\n")
        f.write("end)()\n" if count else "")
        f.write("return all\n")


if __name__ == "__main__":
    if sys.argv[1] == "setup":
        setup()
    else:
        context = json.load(open(os.environ["BENCH_CONTEXT"]))
        prepare(sys.argv[2], int(sys.argv[3]), sys.argv[4], context)
