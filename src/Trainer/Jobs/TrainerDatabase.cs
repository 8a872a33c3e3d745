using Microsoft.Data.Sqlite;

namespace EmbeddingService.Trainer.Jobs;

/// <summary>
/// The worker's SQLite database (jobs.db in its data directory), shared by the job store and the model registry: WAL,
/// and per connection synchronous FULL (an acknowledged commit survives a kill -9 or a power cut) and foreign keys.
/// </summary>
public sealed class TrainerDatabase
{
    public const string FileName = "jobs.db";

    private readonly string _connectionString;

    public TrainerDatabase(string dataDirectory)
    {
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(Path.GetFullPath(dataDirectory), FileName),
            Mode = SqliteOpenMode.ReadWriteCreate,
            DefaultTimeout = 30,
        }.ToString();
    }

    /// <summary>Creates the tables of <paramref name="schema"/> (CREATE ... IF NOT EXISTS) and switches the file to WAL.</summary>
    public void Migrate(string schema)
    {
        using var connection = Open();
        // The journal mode is kept in the file: set before anything else runs on this connection.
        using var command = Command(connection, null, "PRAGMA journal_mode = WAL;" + schema);
        command.ExecuteNonQuery();
    }

    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var pragmas = Command(connection, null, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;");
        pragmas.ExecuteNonQuery();
        return connection;
    }

    public static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }
}
