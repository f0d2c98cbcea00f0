-- Billing ledger, version 1.
create table billing_tenant_plans (
    tenant text not null,
    plan text not null,
    effective_from timestamptz not null,
    primary key (tenant, effective_from)
);

-- Every accepted event, once: (tenant, source, id) is the idempotency key.
create table billing_events (
    tenant text not null,
    source text not null,
    id text not null,
    meter text not null,
    cluster text not null,
    resource text not null,
    value numeric not null,
    event_time timestamptz not null,
    received_at timestamptz not null,
    -- The period the event is billed in: its own, or the open one for a late adjustment.
    booked_period timestamptz not null,
    adjustment boolean not null,
    payload_hash text not null,
    primary key (tenant, source, id)
);
create index billing_events_by_period on billing_events (tenant, booked_period, meter);

-- One-minute rollups by event time, written in the same transaction as their events.
create table billing_windows (
    tenant text not null,
    meter text not null,
    cluster text not null,
    window_start timestamptz not null,
    booked_period timestamptz not null,
    adjustment boolean not null,
    total numeric not null,
    events bigint not null,
    max_value numeric not null,
    latest_time timestamptz not null,
    latest_id text not null,
    latest_value numeric not null,
    primary key (tenant, meter, cluster, window_start, booked_period)
);
create index billing_windows_by_period on billing_windows (booked_period, tenant);

-- Repeats of an id with a different payload: the first payload wins, these are counted.
create table billing_conflicts (
    tenant text not null,
    source text not null,
    id text not null,
    payload_hash text not null,
    payload jsonb not null,
    received_at timestamptz not null
);

create table billing_closed_periods (
    tenant text not null,
    period_start timestamptz not null,
    closed_at timestamptz not null,
    primary key (tenant, period_start)
);

-- Stripe meter events to send; the identifier is fixed when the row is written.
create table billing_stripe_outbox (
    identifier text primary key,
    tenant text not null,
    meter text not null,
    period_start timestamptz not null,
    event_time timestamptz not null,
    value numeric not null,
    created_at timestamptz not null,
    attempts integer not null default 0,
    sent_at timestamptz,
    last_error text
);
create index billing_stripe_outbox_pending on billing_stripe_outbox (created_at) where sent_at is null;
