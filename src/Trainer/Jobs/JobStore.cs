using System.Security.Cryptography;
using EmbeddingService.Training.Runs.Spec;
using Microsoft.Data.Sqlite;

namespace EmbeddingService.Trainer.Jobs;

/// <summary>
/// The durable job store: one SQLite database (WAL, synchronous FULL: a committed transition survives a kill -9 or a
/// power cut) in the worker's data directory, jobs and their state history, each job's run folder under jobs/{id}/.
/// Every change is one IMMEDIATE transaction, so the scheduler and the gRPC calls never see half a transition.
/// </summary>
public sealed class JobStore
{
    public const string JobsFolder = "jobs";

    private const string Columns =
        "id, kind, spec, spec_hash, priority, idempotency_key, state, reason, message, stop_request, output_dir, step, total_steps, created_at, updated_at, seq";

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS jobs (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            spec TEXT NOT NULL,
            spec_hash TEXT NOT NULL,
            priority INTEGER NOT NULL,
            idempotency_key TEXT UNIQUE,
            body_hash TEXT NOT NULL,
            state TEXT NOT NULL,
            reason TEXT NOT NULL,
            message TEXT NOT NULL,
            stop_request TEXT,
            output_dir TEXT NOT NULL,
            step INTEGER NOT NULL DEFAULT 0,
            total_steps INTEGER NOT NULL DEFAULT 0,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL);
        CREATE INDEX IF NOT EXISTS jobs_by_state ON jobs (state, priority DESC, seq);
        CREATE TABLE IF NOT EXISTS job_history (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            job_id TEXT NOT NULL REFERENCES jobs (id),
            state TEXT NOT NULL,
            reason TEXT NOT NULL,
            message TEXT NOT NULL,
            at INTEGER NOT NULL);
        CREATE INDEX IF NOT EXISTS job_history_by_job ON job_history (job_id, seq);
        """;

    private readonly TrainerDatabase _database;
    private readonly string _jobsDirectory;
    private readonly TimeProvider _time;

    public JobStore(string dataDirectory, TimeProvider time)
    {
        _jobsDirectory = Directory.CreateDirectory(Path.Combine(dataDirectory, JobsFolder)).FullName;
        _database = new TrainerDatabase(dataDirectory);
        _time = time;
        _database.Migrate(Schema);
    }

    /// <summary>
    /// Queues <paramref name="job"/>; with an idempotency key already used for the same body, returns that job instead
    /// (Created false); with another body, refuses with <see cref="JobError.IdempotencyConflict"/>.
    /// </summary>
    public (JobRecord Job, bool Created) Submit(NewJob job)
    {
        using var connection = Open();
        using var transaction = connection.BeginTransaction();
        if (job.IdempotencyKey is { } key)
        {
            using var find = Command(connection, transaction, "SELECT id, body_hash FROM jobs WHERE idempotency_key = $key", ("$key", key));
            using var reader = find.ExecuteReader();
            if (reader.Read())
            {
                var (id, bodyHash) = (reader.GetString(0), reader.GetString(1));
                if (bodyHash != job.BodyHash)
                    throw new JobRequestException(JobError.IdempotencyConflict,
                        $"idempotency key '{key}' was already used for job {id} with another body (kind, spec or priority differ); send the same body to get that job, or use a new key for a new job");
                return (Find(connection, transaction, id)!, false);
            }
        }
        var newId = "job-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var now = Now();
        const string Reason = "submitted";
        var message = $"queued at priority {job.Priority}";
        using (var insert = Command(connection, transaction, """
            INSERT INTO jobs (id, kind, spec, spec_hash, priority, idempotency_key, body_hash, state, reason, message, output_dir, created_at, updated_at)
            VALUES ($id, $kind, $spec, $spec_hash, $priority, $key, $body_hash, $state, $reason, $message, $output_dir, $now, $now)
            """,
            ("$id", newId), ("$kind", JobKinds.Name(job.Kind)), ("$spec", job.Spec), ("$spec_hash", job.SpecHash), ("$priority", job.Priority),
            ("$key", job.IdempotencyKey), ("$body_hash", job.BodyHash), ("$state", JobStates.Name(JobState.Queued)), ("$reason", Reason),
            ("$message", message), ("$output_dir", Path.Combine(_jobsDirectory, newId)), ("$now", now)))
            insert.ExecuteNonQuery();
        AddHistory(connection, transaction, newId, JobState.Queued, Reason, message, now);
        var created = Find(connection, transaction, newId)!;
        transaction.Commit();
        return (created, true);
    }

    public JobRecord? Find(string id)
    {
        using var connection = Open();
        return Find(connection, null, id);
    }

    /// <summary>Every transition of the job, oldest first.</summary>
    public IReadOnlyList<JobTransition> History(string id)
    {
        using var connection = Open();
        using var command = Command(connection, null, "SELECT state, reason, message, at FROM job_history WHERE job_id = $id ORDER BY seq", ("$id", id));
        using var reader = command.ExecuteReader();
        var history = new List<JobTransition>();
        while (reader.Read())
            history.Add(new JobTransition(JobStates.Parse(reader.GetString(0)), reader.GetString(1), reader.GetString(2), Time(reader.GetInt64(3))));
        return history;
    }

    public JobPage List(JobQuery query)
    {
        using var connection = Open();
        var conditions = new List<string>();
        var parameters = new List<(string, object?)>();
        if (query.States.Count > 0)
            conditions.Add(In("state", query.States.Select(JobStates.Name), parameters));
        if (query.Kinds.Count > 0)
            conditions.Add(In("kind", query.Kinds.Select(JobKinds.Name), parameters));
        if (query.AfterSequence is { } after)
        {
            conditions.Add("seq < $after");
            parameters.Add(("$after", after));
        }
        parameters.Add(("$limit", query.PageSize + 1));
        var where = conditions.Count == 0 ? "" : "WHERE " + string.Join(" AND ", conditions);
        using var command = Command(connection, null, $"SELECT {Columns} FROM jobs {where} ORDER BY seq DESC LIMIT $limit", [.. parameters]);
        using var reader = command.ExecuteReader();
        var jobs = new List<JobRecord>();
        var lastSequence = 0L;
        while (reader.Read())
        {
            // One row more than the page asks for tells that another page follows.
            if (jobs.Count == query.PageSize) return new JobPage(jobs, lastSequence);
            jobs.Add(Read(reader));
            lastSequence = reader.GetInt64(15);
        }
        return new JobPage(jobs, null);
    }

    /// <summary>
    /// The next queued job (highest priority, then the oldest) moved to running, with <paramref name="message"/> in its
    /// history; null when none is queued.
    /// </summary>
    public JobRecord? ClaimNext()
    {
        using var connection = Open();
        using var transaction = connection.BeginTransaction();
        string? id;
        long step;
        using (var next = Command(connection, transaction, "SELECT id, step FROM jobs WHERE state = $queued ORDER BY priority DESC, seq LIMIT 1",
            ("$queued", JobStates.Name(JobState.Queued))))
        using (var reader = next.ExecuteReader())
        {
            if (!reader.Read()) return null;
            (id, step) = (reader.GetString(0), reader.GetInt64(1));
        }
        var message = step == 0 ? "running" : $"running: resumes from its last checkpoint (progress was at step {step})";
        Move(connection, transaction, id, JobState.Running, "started", message);
        var claimed = Find(connection, transaction, id)!;
        transaction.Commit();
        return claimed;
    }

    /// <summary>
    /// Moves the job to <paramref name="to"/> when it is in one of <paramref name="from"/> (and clears its stop request);
    /// null when it is not (or there is no such job), leaving it unchanged.
    /// </summary>
    public JobRecord? TryTransition(string id, IReadOnlyCollection<JobState> from, JobState to, string reason, string message)
    {
        using var connection = Open();
        using var transaction = connection.BeginTransaction();
        var job = Find(connection, transaction, id);
        if (job is null || !from.Contains(job.State)) return null;
        Move(connection, transaction, id, to, reason, message);
        var moved = Find(connection, transaction, id)!;
        transaction.Commit();
        return moved;
    }

    /// <summary>
    /// Records that the running job is to stop at its next step boundary; a cancel request replaces a pause request, not
    /// the other way round. False when the job is not running or the request would downgrade a cancel.
    /// </summary>
    public bool RequestStop(string id, StopRequest request)
    {
        using var connection = Open();
        using var command = Command(connection, null,
            "UPDATE jobs SET stop_request = $request, updated_at = $now WHERE id = $id AND state = $running AND (stop_request IS NULL OR $request = $cancel)",
            ("$request", JobStates.Name(request)), ("$now", Now()), ("$id", id), ("$running", JobStates.Name(JobState.Running)),
            ("$cancel", JobStates.Name(StopRequest.Cancel)));
        return command.ExecuteNonQuery() == 1;
    }

    /// <summary>The iterations done of the job's run (no history entry: progress is not a transition).</summary>
    public void RecordProgress(string id, long step, long totalSteps)
    {
        using var connection = Open();
        using var command = Command(connection, null, "UPDATE jobs SET step = $step, total_steps = $total, updated_at = $now WHERE id = $id",
            ("$step", step), ("$total", totalSteps), ("$now", Now()), ("$id", id));
        command.ExecuteNonQuery();
    }

    /// <summary>
    /// At start-up: every job still marked running lost its worker (killed or crashed). It is queued again (reason
    /// worker_lost) to resume from its last checkpoint — or, when it was being paused or cancelled, it ends so.
    /// </summary>
    public IReadOnlyList<JobRecord> RecoverInterrupted()
    {
        using var connection = Open();
        using var transaction = connection.BeginTransaction();
        var interrupted = new List<JobRecord>();
        using (var running = Command(connection, transaction, $"SELECT {Columns} FROM jobs WHERE state = $running ORDER BY seq",
            ("$running", JobStates.Name(JobState.Running))))
        using (var reader = running.ExecuteReader())
            while (reader.Read()) interrupted.Add(Read(reader));
        var recovered = new List<JobRecord>();
        foreach (var job in interrupted)
        {
            var (state, reason, message) = job.StopRequest switch
            {
                StopRequest.Pause => (JobState.Paused, "paused",
                    $"paused: the worker stopped while pausing the job; resume continues from its last checkpoint (step {job.Step} was reached)"),
                StopRequest.Cancel => (JobState.Cancelled, "cancelled", "cancelled: the worker stopped while cancelling the job"),
                _ => (JobState.Queued, "worker_lost",
                    $"interrupted (worker_lost): the worker stopped while the job ran (killed or crashed) at about step {job.Step}; queued again to resume from its last checkpoint"),
            };
            Move(connection, transaction, job.Id, state, reason, message);
            recovered.Add(Find(connection, transaction, job.Id)!);
        }
        transaction.Commit();
        return recovered;
    }

    /// <summary>How many jobs are in each state (every state present, zero when none).</summary>
    public IReadOnlyDictionary<JobState, long> CountByState()
    {
        using var connection = Open();
        using var command = Command(connection, null, "SELECT state, COUNT(*) FROM jobs GROUP BY state");
        using var reader = command.ExecuteReader();
        var counts = Enum.GetValues<JobState>().ToDictionary(s => s, _ => 0L);
        while (reader.Read()) counts[JobStates.Parse(reader.GetString(0))] = reader.GetInt64(1);
        return counts;
    }

    private void Move(SqliteConnection connection, SqliteTransaction transaction, string id, JobState to, string reason, string message)
    {
        var now = Now();
        using (var update = Command(connection, transaction,
            "UPDATE jobs SET state = $state, reason = $reason, message = $message, stop_request = NULL, updated_at = $now WHERE id = $id",
            ("$state", JobStates.Name(to)), ("$reason", reason), ("$message", message), ("$now", now), ("$id", id)))
            update.ExecuteNonQuery();
        AddHistory(connection, transaction, id, to, reason, message, now);
    }

    private static void AddHistory(SqliteConnection connection, SqliteTransaction transaction, string id, JobState state, string reason, string message, long at)
    {
        using var insert = Command(connection, transaction, "INSERT INTO job_history (job_id, state, reason, message, at) VALUES ($id, $state, $reason, $message, $at)",
            ("$id", id), ("$state", JobStates.Name(state)), ("$reason", reason), ("$message", message), ("$at", at));
        insert.ExecuteNonQuery();
    }

    private static JobRecord? Find(SqliteConnection connection, SqliteTransaction? transaction, string id)
    {
        using var command = Command(connection, transaction, $"SELECT {Columns} FROM jobs WHERE id = $id", ("$id", id));
        using var reader = command.ExecuteReader();
        return reader.Read() ? Read(reader) : null;
    }

    private static JobRecord Read(SqliteDataReader reader) => new()
    {
        Id = reader.GetString(0),
        Kind = JobKinds.Parse(reader.GetString(1)),
        Spec = reader.GetString(2),
        SpecHash = reader.GetString(3),
        Priority = reader.GetInt32(4),
        IdempotencyKey = reader.IsDBNull(5) ? null : reader.GetString(5),
        State = JobStates.Parse(reader.GetString(6)),
        Reason = reader.GetString(7),
        Message = reader.GetString(8),
        StopRequest = JobStates.ParseStop(reader.IsDBNull(9) ? null : reader.GetString(9)),
        OutputDirectory = reader.GetString(10),
        Step = reader.GetInt64(11),
        TotalSteps = reader.GetInt64(12),
        CreatedAt = Time(reader.GetInt64(13)),
        UpdatedAt = Time(reader.GetInt64(14)),
    };

    private static string In(string column, IEnumerable<string> values, List<(string, object?)> parameters)
    {
        var names = new List<string>();
        foreach (var value in values)
        {
            var name = $"${column}{parameters.Count}";
            parameters.Add((name, value));
            names.Add(name);
        }
        return $"{column} IN ({string.Join(", ", names)})";
    }

    private SqliteConnection Open() => _database.Open();

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters) =>
        TrainerDatabase.Command(connection, transaction, sql, parameters);

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private static DateTimeOffset Time(long unixMilliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(unixMilliseconds);
}
