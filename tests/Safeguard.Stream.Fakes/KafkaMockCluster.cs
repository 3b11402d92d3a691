using System.Globalization;
using System.Text;
using Confluent.Kafka;

namespace Safeguard.Stream.Fakes;

/// <summary>
/// librdkafka's built-in mock Kafka cluster (rdkafka_mock.h), reached through P/Invoke. It speaks the real Kafka
/// protocol on loopback, so Confluent.Kafka clients and <c>kcat</c> connect to <see cref="BootstrapServers"/> as to a
/// real cluster.
/// </summary>
/// <remarks>
/// <para>Lifetime: the mock cluster runs on its own thread owned by a private producer handle (rd_kafka_t) that must
/// outlive it; <see cref="Dispose"/> destroys the cluster first, then the handle. The native mock API posts each call
/// to the mock thread and waits for it, so the control methods are thread-safe; a lock still serialises them against
/// <see cref="Dispose"/>.</para>
/// <para>Quirks found while testing (librdkafka 2.16.0):</para>
/// <list type="bullet">
/// <item>Topics are auto-created on first use (metadata request or produce) with the mock's default of 4 partitions
/// and replication factor min(3, brokers); call <see cref="CreateTopic"/> first when a test depends on the
/// partition count.</item>
/// <item>Retried produce batches are de-duplicated only for transactional producers: an idempotent producer whose
/// batch is retried after an injected error may see the message twice on the mock.</item>
/// <item><see cref="SetBrokerDown"/> closes the broker's connections but does not move partition leadership; use
/// <see cref="SetPartitionLeader"/> for that.</item>
/// <item>After <see cref="SetPartitionLeader"/> the partition's leader epoch goes up, and the mock rejects an offset
/// commit that carries an older epoch: <c>consumer.Commit(consumeResult)</c> for a message written before the move
/// fails with <c>ErrorCode.FencedLeaderEpoch</c> (74). Messages written after the move commit fine. Real brokers do
/// not fence commits this way.</item>
/// </list>
/// </remarks>
public sealed class KafkaMockCluster : IDisposable
{
    private readonly Lock _gate = new();
    private IntPtr _rk;
    private IntPtr _mcluster;

    private KafkaMockCluster(IntPtr rk, IntPtr mcluster, string bootstrapServers, int brokerCount)
    {
        _rk = rk;
        _mcluster = mcluster;
        BootstrapServers = bootstrapServers;
        BrokerCount = brokerCount;
    }

    /// <summary>Comma-separated host:port list of the mock brokers (127.0.0.1, ports chosen by librdkafka).</summary>
    public string BootstrapServers { get; }

    /// <summary>Number of brokers; broker ids are 1..BrokerCount.</summary>
    public int BrokerCount { get; }

    /// <summary>Starts a mock cluster with <paramref name="brokers"/> brokers (ids 1..n).</summary>
    public static KafkaMockCluster Start(int brokers = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(brokers, 1);
        var errstr = new byte[512];

        var conf = KafkaMockNative.rd_kafka_conf_new();
        // The owning handle never produces; keep its own logging quiet.
        SetConf(conf, "log_level", "3", errstr);
        SetConf(conf, "client.id", "safeguard-kafka-mock", errstr);

        var rk = KafkaMockNative.rd_kafka_new(KafkaMockNative.RdKafkaProducer, conf, errstr, (UIntPtr)errstr.Length);
        if (rk == IntPtr.Zero)
        {
            // On failure the configuration is still ours.
            KafkaMockNative.rd_kafka_conf_destroy(conf);
            throw new InvalidOperationException("rd_kafka_new failed: " + ReadErr(errstr));
        }

        var mcluster = KafkaMockNative.rd_kafka_mock_cluster_new(rk, brokers);
        if (mcluster == IntPtr.Zero)
        {
            KafkaMockNative.rd_kafka_destroy(rk);
            throw new InvalidOperationException("rd_kafka_mock_cluster_new failed.");
        }

        // The returned string belongs to the cluster; copy it.
        var bootstraps = KafkaMockNative.rd_kafka_mock_cluster_bootstraps(mcluster)
            ?? throw new InvalidOperationException("rd_kafka_mock_cluster_bootstraps returned NULL.");
        return new KafkaMockCluster(rk, mcluster, bootstraps, brokers);
    }

    /// <summary>Creates <paramref name="topic"/> explicitly (instead of relying on auto-creation with 4 partitions).</summary>
    public void CreateTopic(string topic, int partitions = 1, int replicationFactor = 1)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        lock (_gate)
        {
            Check(KafkaMockNative.rd_kafka_mock_topic_create(Cluster, topic, partitions, replicationFactor), $"create topic {topic}");
        }
    }

    /// <summary>Takes broker <paramref name="brokerId"/> down: its connections are closed and new ones refused.</summary>
    public void SetBrokerDown(int brokerId)
    {
        lock (_gate)
        {
            Check(KafkaMockNative.rd_kafka_mock_broker_set_down(Cluster, brokerId), $"set broker {brokerId} down");
        }
    }

    /// <summary>Brings broker <paramref name="brokerId"/> back.</summary>
    public void SetBrokerUp(int brokerId)
    {
        lock (_gate)
        {
            Check(KafkaMockNative.rd_kafka_mock_broker_set_up(Cluster, brokerId), $"set broker {brokerId} up");
        }
    }

    /// <summary>Moves the leader of <paramref name="topic"/>/<paramref name="partition"/> to <paramref name="brokerId"/>.</summary>
    public void SetPartitionLeader(string topic, int partition, int brokerId)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        lock (_gate)
        {
            Check(
                KafkaMockNative.rd_kafka_mock_partition_set_leader(Cluster, topic, partition, brokerId),
                $"set leader of {topic}[{partition}] to {brokerId}");
        }
    }

    /// <summary>
    /// Makes the next requests with Kafka API key <paramref name="apiKey"/> (e.g. 0 = Produce, 1 = Fetch, 3 = Metadata)
    /// fail with <paramref name="errors"/>, one error per request, in order. <see cref="ErrorCode"/> values are
    /// librdkafka's <c>rd_kafka_resp_err_t</c> values, so they pass through unchanged.
    /// </summary>
    public void PushRequestErrors(short apiKey, params ErrorCode[] errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (errors.Length == 0)
        {
            return;
        }

        var codes = Array.ConvertAll(errors, e => (int)e);
        lock (_gate)
        {
            KafkaMockNative.rd_kafka_mock_push_request_errors_array(Cluster, apiKey, (UIntPtr)codes.Length, codes);
        }
    }

    /// <summary>Destroys the mock cluster, then its owning handle.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_mcluster != IntPtr.Zero)
            {
                KafkaMockNative.rd_kafka_mock_cluster_destroy(_mcluster);
                _mcluster = IntPtr.Zero;
            }

            if (_rk != IntPtr.Zero)
            {
                KafkaMockNative.rd_kafka_destroy(_rk);
                _rk = IntPtr.Zero;
            }
        }
    }

    private IntPtr Cluster
    {
        get
        {
            ObjectDisposedException.ThrowIf(_mcluster == IntPtr.Zero, this);
            return _mcluster;
        }
    }

    private static void SetConf(IntPtr conf, string name, string value, byte[] errstr)
    {
        if (KafkaMockNative.rd_kafka_conf_set(conf, name, value, errstr, (UIntPtr)errstr.Length) != 0)
        {
            KafkaMockNative.rd_kafka_conf_destroy(conf);
            throw new InvalidOperationException($"rd_kafka_conf_set({name}) failed: {ReadErr(errstr)}");
        }
    }

    private static void Check(int err, string what)
    {
        if (err != 0)
        {
            throw new InvalidOperationException(
                string.Create(CultureInfo.InvariantCulture, $"Kafka mock: {what} failed: {(ErrorCode)err} ({err})"));
        }
    }

    private static string ReadErr(byte[] errstr)
    {
        var len = Array.IndexOf(errstr, (byte)0);
        return Encoding.UTF8.GetString(errstr, 0, len < 0 ? errstr.Length : len);
    }
}
