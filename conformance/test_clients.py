"""Client conformance: boto3 and the aws CLI against a running Gatehouse, changed only by the
endpoint. scripts/conformance.sh starts the server, bootstraps an account and a root access key
with the gatehouse CLI, and runs this file with pytest; the environment carries:

  GATEHOUSE_ENDPOINT   the server's URL
  GATEHOUSE_ACCOUNT    the account ID
  AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY   the root user's key
"""

import json
import os
import subprocess
import uuid

import boto3
import botocore.exceptions
import pytest

ENDPOINT = os.environ["GATEHOUSE_ENDPOINT"]
ACCOUNT = os.environ["GATEHOUSE_ACCOUNT"]
REGION = "us-east-1"


def client(service="iam", key=None, secret=None):
    return boto3.client(
        service,
        endpoint_url=ENDPOINT,
        region_name=REGION,
        aws_access_key_id=key or os.environ["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=secret or os.environ["AWS_SECRET_ACCESS_KEY"],
    )


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def error_of(call, *args, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        call(*args, **kwargs)
    response = raised.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Message"]


READ_USERS = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["iam:ListUsers", "iam:GetUser"], "Resource": "*"}],
    }
)


def test_the_tutorial_flow_and_a_users_own_key():
    iam = client()
    group, user, policy_name = unique("readers"), unique("bob"), unique("ReadUsers")
    created_group = iam.create_group(GroupName=group)["Group"]
    assert created_group["Arn"] == f"arn:aws:iam::{ACCOUNT}:group/{group}"
    policy = iam.create_policy(PolicyName=policy_name, PolicyDocument=READ_USERS, Description="read users")["Policy"]
    assert policy["Arn"] == f"arn:aws:iam::{ACCOUNT}:policy/{policy_name}"
    assert policy["DefaultVersionId"] == "v1"
    iam.attach_group_policy(GroupName=group, PolicyArn=policy["Arn"])
    created_user = iam.create_user(UserName=user, Tags=[{"Key": "team", "Value": "it"}])["User"]
    assert created_user["UserId"].startswith("AIDA")
    assert created_user["CreateDate"].year >= 2025
    profile = iam.create_login_profile(UserName=user, Password="a long bob passphrase 7", PasswordResetRequired=True)
    assert profile["LoginProfile"]["PasswordResetRequired"] is True
    iam.add_user_to_group(GroupName=group, UserName=user)
    assert [g["GroupName"] for g in iam.list_groups_for_user(UserName=user)["Groups"]] == [group]
    assert [p["PolicyArn"] for p in iam.list_attached_group_policies(GroupName=group)["AttachedPolicies"]] == [policy["Arn"]]
    assert iam.list_user_tags(UserName=user)["Tags"] == [{"Key": "team", "Value": "it"}]

    key = iam.create_access_key(UserName=user)["AccessKey"]
    assert key["Status"] == "Active" and len(key["SecretAccessKey"]) == 40
    assert [k["AccessKeyId"] for k in iam.list_access_keys(UserName=user)["AccessKeyMetadata"]] == [key["AccessKeyId"]]

    as_bob = client(key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    names = [u["UserName"] for u in as_bob.list_users()["Users"]]
    assert user in names
    assert as_bob.get_user()["User"]["UserName"] == user
    code, status, message = error_of(as_bob.create_user, UserName=unique("mallory"))
    assert (code, status) == ("AccessDenied", 403)
    assert message.startswith(f"User: arn:aws:iam::{ACCOUNT}:user/{user} is not authorized to perform: iam:CreateUser on resource: ")
    who = client("sts", key=key["AccessKeyId"], secret=key["SecretAccessKey"]).get_caller_identity()
    assert who["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/{user}"
    assert who["Account"] == ACCOUNT

    last = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])
    assert last["UserName"] == user
    assert last["AccessKeyLastUsed"]["Region"] == REGION
    assert "LastUsedDate" in last["AccessKeyLastUsed"]

    # The user's key stops working when deactivated.
    iam.update_access_key(UserName=user, AccessKeyId=key["AccessKeyId"], Status="Inactive")
    code, status, _ = error_of(as_bob.list_users)
    assert (code, status) == ("InvalidClientTokenId", 403)

    sim = iam.simulate_principal_policy(
        PolicySourceArn=created_user["Arn"], ActionNames=["iam:ListUsers", "iam:CreateUser"]
    )["EvaluationResults"]
    assert {r["EvalActionName"]: r["EvalDecision"] for r in sim} == {
        "iam:ListUsers": "allowed",
        "iam:CreateUser": "implicitDeny",
    }


def test_pagination_over_250_users():
    iam = client()
    path = f"/{unique('page')}/"
    for i in range(250):
        iam.create_user(UserName=f"{path.strip('/')}-{i:03}", Path=path)
    pages = list(iam.get_paginator("list_users").paginate(PathPrefix=path, PaginationConfig={"PageSize": 100}))
    assert [len(p["Users"]) for p in pages] == [100, 100, 50]
    assert [p["IsTruncated"] for p in pages] == [True, True, False]
    names = [u["UserName"] for p in pages for u in p["Users"]]
    assert len(names) == len(set(names)) == 250
    assert names == sorted(names)


def test_account_authorization_details_with_boto3s_paginator():
    iam = client()
    group, user, policy_name = unique("auditors"), unique("dora"), unique("ReadUsers")
    iam.create_group(GroupName=group)
    arn = iam.create_policy(PolicyName=policy_name, PolicyDocument=READ_USERS)["Policy"]["Arn"]
    iam.attach_group_policy(GroupName=group, PolicyArn=arn)
    iam.create_user(UserName=user, Tags=[{"Key": "team", "Value": "audit"}])
    iam.add_user_to_group(GroupName=group, UserName=user)
    iam.put_user_policy(UserName=user, PolicyName="Inline", PolicyDocument=READ_USERS)
    pages = list(iam.get_paginator("get_account_authorization_details").paginate(PaginationConfig={"PageSize": 7}))
    assert len(pages) > 1 and all(p["IsTruncated"] for p in pages[:-1]) and not pages[-1]["IsTruncated"]
    users = {u["UserName"]: u for p in pages for u in p["UserDetailList"]}
    groups = {g["GroupName"]: g for p in pages for g in p["GroupDetailList"]}
    policies = {q["Arn"]: q for p in pages for q in p["Policies"]}
    entries = sum(len(p["UserDetailList"]) + len(p["GroupDetailList"]) + len(p["Policies"]) for p in pages)
    assert entries == len(users) + len(groups) + len(policies), "each entry once"
    dora = users[user]
    assert dora["GroupList"] == [group]
    assert dora["Tags"] == [{"Key": "team", "Value": "audit"}]
    # boto3 decodes the URL-encoded documents into dictionaries, as it does for AWS.
    assert dora["UserPolicyList"] == [{"PolicyName": "Inline", "PolicyDocument": json.loads(READ_USERS)}]
    assert groups[group]["AttachedManagedPolicies"] == [{"PolicyName": policy_name, "PolicyArn": arn}]
    ours = policies[arn]
    assert ours["AttachmentCount"] == 1 and ours["DefaultVersionId"] == "v1"
    assert ours["PolicyVersionList"][0]["Document"] == json.loads(READ_USERS)
    assert ours["PolicyVersionList"][0]["IsDefaultVersion"] is True
    only_local = iam.get_account_authorization_details(Filter=["LocalManagedPolicy"], MaxItems=1000)
    assert only_local["UserDetailList"] == [] and only_local["GroupDetailList"] == []
    assert all(not q["Arn"].startswith("arn:aws:iam::aws:") for q in only_local["Policies"])


def test_every_error_code_boto3_sees():
    iam = client()
    user = unique("err")
    iam.create_user(UserName=user)

    code, status, message = error_of(iam.get_user, UserName="nobody-" + user)
    assert (code, status, message) == ("NoSuchEntity", 404, f"The user with name nobody-{user} cannot be found.")
    code, status, _ = error_of(iam.create_user, UserName=user.upper())
    assert (code, status) == ("EntityAlreadyExists", 409)
    iam.create_access_key(UserName=user)
    iam.create_access_key(UserName=user)
    code, status, message = error_of(iam.create_access_key, UserName=user)
    assert (code, status, message) == ("LimitExceeded", 409, "Cannot exceed quota for AccessKeysPerUser: 2")
    policy = iam.create_policy(PolicyName=unique("p"), PolicyDocument=READ_USERS)["Policy"]
    iam.attach_user_policy(UserName=user, PolicyArn=policy["Arn"])
    code, status, _ = error_of(iam.delete_policy, PolicyArn=policy["Arn"])
    assert (code, status) == ("DeleteConflict", 409)
    code, status, message = error_of(
        iam.create_policy, PolicyName=unique("bad"), PolicyDocument='{"Version": "2012-10-17", "Statement": []}'
    )
    assert (code, status) == ("MalformedPolicyDocument", 400)
    assert message
    code, status, _ = error_of(iam.create_user, UserName="no spaces allowed")
    assert (code, status) == ("ValidationError", 400)
    code, status, _ = error_of(
        iam.simulate_principal_policy, PolicySourceArn="arn:aws:iam::000000000000:user/x", ActionNames=["iam:ListUsers"]
    )
    assert (code, status) == ("InvalidInput", 400)

    wrong_secret = client(secret="x" * 40)
    code, status, _ = error_of(wrong_secret.list_users)
    assert (code, status) == ("SignatureDoesNotMatch", 403)
    unknown = client(key="AKIAAAAAAAAAAAAAAAAA")
    code, status, _ = error_of(unknown.list_users)
    assert (code, status) == ("InvalidClientTokenId", 403)


def aws(*args, key=None, secret=None):
    env = dict(os.environ)
    env.update({"AWS_DEFAULT_REGION": REGION, "AWS_PAGER": ""})
    if key:
        env.update({"AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret})
    return subprocess.run(
        ["aws", *args, "--endpoint-url", ENDPOINT, "--output", "json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_aws_cli_works_unmodified():
    user = unique("cli")
    out = aws("iam", "create-user", "--user-name", user)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["User"]["UserName"] == user
    out = aws("iam", "list-users")
    assert out.returncode == 0, out.stderr
    assert user in [u["UserName"] for u in json.loads(out.stdout)["Users"]]
    out = aws("sts", "get-caller-identity")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["Arn"] == f"arn:aws:iam::{ACCOUNT}:root"
    out = aws("iam", "put-user-policy", "--user-name", user, "--policy-name", "inline", "--policy-document", READ_USERS)
    assert out.returncode == 0, out.stderr
    out = aws("iam", "get-user-policy", "--user-name", user, "--policy-name", "inline")
    assert out.returncode == 0, out.stderr
    # The CLI decodes the URL-encoded document AWS (and Gatehouse) return.
    assert json.loads(out.stdout)["PolicyDocument"]["Statement"][0]["Action"] == ["iam:ListUsers", "iam:GetUser"]
    png = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"{user}.png")
    out = aws(
        "iam", "create-virtual-mfa-device", "--virtual-mfa-device-name", user,
        "--outfile", png, "--bootstrap-method", "QRCodePNG",
    )
    assert out.returncode == 0, out.stderr
    with open(png, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n", "the QR code is written as a PNG file"
    os.remove(png)
    out = aws("iam", "get-user", "--user-name", "nobody-" + user)
    # A service error: the aws CLI v1 (PyPI's) exits 255, v2 254.
    assert out.returncode in (254, 255)
    assert (
        f"An error occurred (NoSuchEntity) when calling the GetUser operation: The user with name nobody-{user} cannot be found."
        in out.stderr
    )
