namespace Safeguard.Stream.Postgres.Tests;

public sealed class DatabaseMigratorTests
{
    [Fact]
    public void Migrations_AreEmbeddedInNameOrder()
    {
        var migrations = DatabaseMigrator.Migrations();

        Assert.NotEmpty(migrations);
        Assert.Equal("0001_initial", migrations[0].Name);
        Assert.Equal(migrations.Select(m => m.Name).Order(StringComparer.Ordinal), migrations.Select(m => m.Name));
        Assert.All(migrations, m => Assert.Contains("safeguard.", m.Sql, StringComparison.Ordinal));
    }
}
