using k8s;
using k8s.Models;

namespace BinderOrleans.IntegrationTests.KubernetesNode;

/// <summary>The node itself: the scheduler places a pod, the kubelet runs it on the node's daemon, its log is readable.</summary>
[Collection(KubeNodeCollection.Name)]
public sealed class NodeTests(KubeNodeFixture fixture)
{
    [Fact]
    public async Task PodOfTheBaseImage_Runs_AndItsLogIsReadable()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var node = fixture.Node;
        var marker = "hello from the node " + Guid.NewGuid().ToString("N");
        var name = "base-" + Guid.NewGuid().ToString("N")[..8];
        var pod = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new V1PodSpec
            {
                HostNetwork = true,
                RestartPolicy = "Never",
                TerminationGracePeriodSeconds = 0,
                Containers =
                [
                    new V1Container
                    {
                        Name = "main",
                        Image = KubeNodeFixture.BaseImage,
                        ImagePullPolicy = "Never",
                        Command = ["sh", "-c", $"echo '{marker}'; exec sleep 600"],
                    },
                ],
            },
        };
        await node.Admin.CoreV1.CreateNamespacedPodAsync(pod, "default", cancellationToken: cts.Token);
        try
        {
            var running = await WaitForPodAsync(node.Admin, name, p => p.Status?.Phase is "Running" or "Failed" or "Succeeded", cts.Token);
            Assert.True(running.Status.Phase == "Running", $"pod is {running.Status.Phase}: {DescribeStatus(running)}\n{node.LogTail("kubelet")}");
            Assert.Equal(node.NodeName, running.Spec.NodeName);

            var log = "";
            while (!log.Contains(marker, StringComparison.Ordinal))
            {
                await using var stream = await node.Admin.CoreV1.ReadNamespacedPodLogAsync(name, "default", cancellationToken: cts.Token);
                using var reader = new StreamReader(stream);
                log = await reader.ReadToEndAsync(cts.Token);
                if (!log.Contains(marker, StringComparison.Ordinal)) await Task.Delay(200, cts.Token);
            }
            Assert.Contains(marker, log);
        }
        finally
        {
            await node.Admin.CoreV1.DeleteNamespacedPodAsync(name, "default", gracePeriodSeconds: 0, cancellationToken: CancellationToken.None)
                .WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    private static async Task<V1Pod> WaitForPodAsync(IKubernetes api, string name, Func<V1Pod, bool> done, CancellationToken cancellationToken)
    {
        while (true)
        {
            var pod = await api.CoreV1.ReadNamespacedPodAsync(name, "default", cancellationToken: cancellationToken);
            if (done(pod)) return pod;
            await Task.Delay(250, cancellationToken);
        }
    }

    private static string DescribeStatus(V1Pod pod) =>
        string.Join("; ", (pod.Status?.ContainerStatuses ?? []).Select(s =>
            $"{s.Name}: {s.State?.Waiting?.Reason ?? s.State?.Terminated?.Reason ?? "running"} {s.State?.Waiting?.Message ?? s.State?.Terminated?.Message}"));
}
