using System.Reflection;
using System.Runtime.InteropServices;

namespace Safeguard.Stream.Fakes;

/// <summary>
/// P/Invoke declarations for the parts of librdkafka's C API (rdkafka.h, rdkafka_mock.h) that
/// <see cref="KafkaMockCluster"/> needs, plus the resolver that finds the native library.
/// </summary>
/// <remarks>
/// Why a custom resolver: the librdkafka.redist package ships several builds under runtimes/linux-x64/native/.
/// The default <c>librdkafka.so</c> links against <c>libsasl2.so.3</c>, which Debian 12 does not have, so dlopen fails
/// and Confluent.Kafka falls back to <c>centos8-librdkafka.so</c> (a build without that dependency). The runtime's
/// default probing only knows the name "librdkafka", so we point it at the same files in the same order: the default
/// build where it loads, otherwise the centos8 one. Loading the very file Confluent.Kafka uses means one copy of
/// librdkafka in the process.
/// </remarks>
internal static partial class KafkaMockNative
{
    internal const string LibraryName = "librdkafka";
    internal const int RdKafkaProducer = 0;

    private const string RedistVersion = "2.16.0";

    static KafkaMockNative()
    {
        NativeLibrary.SetDllImportResolver(typeof(KafkaMockNative).Assembly, Resolve);
    }

    [LibraryImport(LibraryName)]
    internal static partial IntPtr rd_kafka_conf_new();

    [LibraryImport(LibraryName)]
    internal static partial void rd_kafka_conf_destroy(IntPtr conf);

    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int rd_kafka_conf_set(IntPtr conf, string name, string value, [Out] byte[] errstr, UIntPtr errstrSize);

    [LibraryImport(LibraryName)]
    internal static partial IntPtr rd_kafka_new(int type, IntPtr conf, [Out] byte[] errstr, UIntPtr errstrSize);

    [LibraryImport(LibraryName)]
    internal static partial void rd_kafka_destroy(IntPtr rk);

    [LibraryImport(LibraryName)]
    internal static partial IntPtr rd_kafka_mock_cluster_new(IntPtr rk, int brokerCount);

    [LibraryImport(LibraryName)]
    internal static partial void rd_kafka_mock_cluster_destroy(IntPtr mcluster);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_cluster_bootstraps")]
    private static partial IntPtr rd_kafka_mock_cluster_bootstraps_native(IntPtr mcluster);

    /// <summary>The returned C string is owned by the cluster: copy, never free.</summary>
    internal static string? rd_kafka_mock_cluster_bootstraps(IntPtr mcluster) =>
        Marshal.PtrToStringUTF8(rd_kafka_mock_cluster_bootstraps_native(mcluster));

    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int rd_kafka_mock_topic_create(IntPtr mcluster, string topic, int partitionCount, int replicationFactor);

    [LibraryImport(LibraryName)]
    internal static partial int rd_kafka_mock_broker_set_down(IntPtr mcluster, int brokerId);

    [LibraryImport(LibraryName)]
    internal static partial int rd_kafka_mock_broker_set_up(IntPtr mcluster, int brokerId);

    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int rd_kafka_mock_partition_set_leader(IntPtr mcluster, string topic, int partition, int brokerId);

    /// <summary>Non-variadic form of rd_kafka_mock_push_request_errors (variadic C calls are not portable via P/Invoke).</summary>
    [LibraryImport(LibraryName)]
    internal static partial void rd_kafka_mock_push_request_errors_array(IntPtr mcluster, short apiKey, UIntPtr count, int[] errors);

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != LibraryName)
        {
            return IntPtr.Zero;
        }

        var tried = new List<string>();
        foreach (var dir in CandidateDirectories())
        {
            foreach (var file in new[] { "librdkafka.so", "centos8-librdkafka.so" })
            {
                var path = Path.Combine(dir, file);
                if (!File.Exists(path))
                {
                    continue;
                }

                tried.Add(path);
                if (NativeLibrary.TryLoad(path, out var handle))
                {
                    return handle;
                }
            }
        }

        throw new DllNotFoundException(
            "Could not load librdkafka for the Kafka mock cluster. Tried: " +
            (tried.Count == 0 ? "(no candidate files found)" : string.Join(", ", tried)));
    }

    private static IEnumerable<string> CandidateDirectories()
    {
        var rid = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64";
        yield return Path.Combine(AppContext.BaseDirectory, "runtimes", rid, "native");

        var nugetRoot = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        if (string.IsNullOrEmpty(nugetRoot))
        {
            nugetRoot = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        }

        yield return Path.Combine(nugetRoot, "librdkafka.redist", RedistVersion, "runtimes", rid, "native");
    }
}
