using System.Text.Json;
using EmbeddingService.Trainer.Jobs;
using Microsoft.Data.Sqlite;

namespace EmbeddingService.Trainer.Models;

/// <summary>
/// The model registry's durable part, in the job store's database: one row per registered model and the activation
/// history (one row per activation, its generation the row's key; a null model id clears the activation).
/// </summary>
public sealed class ModelStore
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS models (
            id TEXT PRIMARY KEY,
            source_kind TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            architecture TEXT NOT NULL,
            config_json TEXT NOT NULL,
            folder TEXT NOT NULL,
            size_bytes INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            knn TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS model_activations (
            generation INTEGER PRIMARY KEY,
            model_id TEXT REFERENCES models (id),
            at INTEGER NOT NULL);
        """;

    private const string Columns = "id, source_kind, fingerprint, architecture, config_json, folder, size_bytes, created_at, knn";

    private readonly TrainerDatabase _database;
    private readonly TimeProvider _time;

    public ModelStore(string dataDirectory, TimeProvider time)
    {
        _database = new TrainerDatabase(dataDirectory);
        _time = time;
        _database.Migrate(Schema);
    }

    /// <summary>Adds the model, or replaces it (a job whose export is registered again, e.g. after a crash between export and success).</summary>
    public void Save(ModelRecord model)
    {
        using var connection = _database.Open();
        using var command = TrainerDatabase.Command(connection, null, $"""
            INSERT OR REPLACE INTO models ({Columns}) VALUES ($id, $kind, $fingerprint, $architecture, $config, $folder, $size, $created, $knn)
            """,
            ("$id", model.Id), ("$kind", JobKinds.Name(model.SourceKind)), ("$fingerprint", model.Fingerprint), ("$architecture", model.Architecture),
            ("$config", model.ConfigJson), ("$folder", model.Folder), ("$size", model.SizeBytes), ("$created", model.CreatedAt.ToUnixTimeMilliseconds()),
            ("$knn", JsonSerializer.Serialize(model.Knn)));
        command.ExecuteNonQuery();
    }

    public ModelRecord? Find(string id)
    {
        using var connection = _database.Open();
        return Find(connection, null, id);
    }

    /// <summary>Newest first.</summary>
    public IReadOnlyList<ModelRecord> List()
    {
        using var connection = _database.Open();
        using var command = TrainerDatabase.Command(connection, null, $"SELECT {Columns} FROM models ORDER BY created_at DESC, id");
        using var reader = command.ExecuteReader();
        var models = new List<ModelRecord>();
        while (reader.Read()) models.Add(Read(reader));
        return models;
    }

    /// <summary>Replaces the model's kNN results; false when there is no such model.</summary>
    public bool UpdateKnn(string id, IReadOnlyDictionary<string, double> knn)
    {
        using var connection = _database.Open();
        using var command = TrainerDatabase.Command(connection, null, "UPDATE models SET knn = $knn WHERE id = $id",
            ("$knn", JsonSerializer.Serialize(knn)), ("$id", id));
        return command.ExecuteNonQuery() == 1;
    }

    /// <summary>Makes <paramref name="id"/> the active model (null: clears it) at the next generation; null when there is no such model.</summary>
    public ActiveModelRecord? Activate(string? id)
    {
        using var connection = _database.Open();
        using var transaction = connection.BeginTransaction();
        if (id is not null && Find(connection, transaction, id) is null) return null;
        using (var insert = TrainerDatabase.Command(connection, transaction,
            "INSERT INTO model_activations (generation, model_id, at) SELECT COALESCE(MAX(generation), 0) + 1, $id, $at FROM model_activations",
            ("$id", id), ("$at", _time.GetUtcNow().ToUnixTimeMilliseconds())))
            insert.ExecuteNonQuery();
        var active = Active(connection, transaction);
        transaction.Commit();
        return active;
    }

    public ActiveModelRecord Active()
    {
        using var connection = _database.Open();
        return Active(connection, null);
    }

    private static ActiveModelRecord Active(SqliteConnection connection, SqliteTransaction? transaction)
    {
        using var command = TrainerDatabase.Command(connection, transaction,
            "SELECT generation, model_id, at FROM model_activations ORDER BY generation DESC LIMIT 1");
        using var reader = command.ExecuteReader();
        if (!reader.Read()) return new ActiveModelRecord(null, 0, null);
        var model = reader.IsDBNull(1) ? null : Find(connection, transaction, reader.GetString(1));
        return new ActiveModelRecord(model, reader.GetInt64(0), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)));
    }

    private static ModelRecord? Find(SqliteConnection connection, SqliteTransaction? transaction, string id)
    {
        using var command = TrainerDatabase.Command(connection, transaction, $"SELECT {Columns} FROM models WHERE id = $id", ("$id", id));
        using var reader = command.ExecuteReader();
        return reader.Read() ? Read(reader) : null;
    }

    private static ModelRecord Read(SqliteDataReader reader) => new()
    {
        Id = reader.GetString(0),
        SourceKind = JobKinds.Parse(reader.GetString(1)),
        Fingerprint = reader.GetString(2),
        Architecture = reader.GetString(3),
        ConfigJson = reader.GetString(4),
        Folder = reader.GetString(5),
        SizeBytes = reader.GetInt64(6),
        CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7)),
        Knn = JsonSerializer.Deserialize<Dictionary<string, double>>(reader.GetString(8)) ?? [],
    };
}
