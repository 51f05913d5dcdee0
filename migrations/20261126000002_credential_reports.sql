-- The credential report (AWS GenerateCredentialReport / GetCredentialReport): the account's users
-- with the state of their passwords, MFA and access keys, as AWS's CSV. One per account, made on
-- request; a request within four hours of the last one gets the same report, as in AWS.
create table credential_reports (
    account_id   text primary key references accounts (account_id) on delete cascade,
    generated_at timestamptz not null,
    content      text not null
);
