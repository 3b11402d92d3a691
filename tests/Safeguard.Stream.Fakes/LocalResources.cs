using System.Net;
using System.Net.Sockets;

namespace Safeguard.Stream.Fakes;

/// <summary>Small things every local service and test needs: a free loopback port, a folder removed on a best-effort basis.</summary>
public static class LocalResources
{
    /// <summary>A loopback port that was free a moment ago (bound, then released): for a server about to start, or for a closed port.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>Deletes <paramref name="directory"/> and what it holds; a folder left behind in temp is harmless, so failures are ignored.</summary>
    public static void TryDeleteDirectory(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
