using System.Globalization;
using Auth0Connector.Http;
using Microsoft.Extensions.Time.Testing;

namespace Auth0Connector.Tests.Http;

/// <summary>The rate gate's per-bucket model: separate buckets, a shared bucket, headers of another bucket, small buckets.</summary>
public class BucketGateTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private HttpResponseMessage Answer(int limit, int remaining, double resetInSeconds = 1, bool limited = false)
    {
        var response = new HttpResponseMessage(limited ? System.Net.HttpStatusCode.TooManyRequests : System.Net.HttpStatusCode.OK);
        response.Headers.Add("x-ratelimit-limit", limit.ToString(CultureInfo.InvariantCulture));
        response.Headers.Add("x-ratelimit-remaining", remaining.ToString(CultureInfo.InvariantCulture));
        response.Headers.Add("x-ratelimit-reset", Math.Ceiling((_time.GetUtcNow() + TimeSpan.FromSeconds(resetInSeconds)).ToUnixTimeMilliseconds() / 1000.0).ToString(CultureInfo.InvariantCulture));
        return response;
    }

    private async Task SendAsync(RateGate gate, EndpointGroup group, int limit, int remaining)
    {
        var ticket = await gate.AcquireAsync(group, CancellationToken.None);
        using var answer = Answer(limit, remaining);
        gate.Completed(ticket, answer);
    }

    [Fact]
    public async Task AcquireAsync_GroupsWithDifferentLimits_AreSplitIntoBucketsOfTheirOwn()
    {
        var gate = new RateGate(_time, null, new ThrottleMonitor(_time));

        await SendAsync(gate, EndpointGroup.ReadUsers, limit: 40, remaining: 39);
        await SendAsync(gate, EndpointGroup.ReadClients, limit: 5, remaining: 4);

        Assert.True(gate.PerGroupBuckets);
        // Clients' bucket is drained to its last request kept in hand: users still go at once.
        await SendAsync(gate, EndpointGroup.ReadClients, limit: 5, remaining: 1);
        var clients = gate.AcquireAsync(EndpointGroup.ReadClients, CancellationToken.None);
        var users = gate.AcquireAsync(EndpointGroup.ReadUsers, CancellationToken.None);
        Assert.False(clients.IsCompleted);
        Assert.True(users.IsCompleted, "a drained clients bucket held a users request");
        var report = gate.Report();
        Assert.Contains(report, b => b.Groups.SequenceEqual([EndpointGroup.ReadUsers]) && b.Limit == 40);
        Assert.Contains(report, b => b.Groups.SequenceEqual([EndpointGroup.ReadClients]) && b.Limit == 5);
    }

    [Fact]
    public async Task Completed_OneGlobalBucket_KeepsEveryGroupOnOneModel()
    {
        // Enterprise: every group answers from one bucket of 50; the remaining counts form one sequence.
        var gate = new RateGate(_time, null, new ThrottleMonitor(_time));
        EndpointGroup[] groups = [EndpointGroup.ReadUsers, EndpointGroup.ReadClients, EndpointGroup.ReadLogs, EndpointGroup.Other];

        for (var i = 0; i < 40; i++)
        {
            await SendAsync(gate, groups[i % groups.Length], limit: 50, remaining: 49 - i);
            _time.Advance(TimeSpan.FromMilliseconds(5));
        }

        Assert.False(gate.PerGroupBuckets);
        var bucket = Assert.Single(gate.Report());
        Assert.Equal(groups.Order(), bucket.Groups);
        // Paced as one: 9 left by the shared count, so the next request of any group goes, and the bucket is near its end.
        Assert.Equal(16, bucket.RefillPerSecond);
    }

    [Fact]
    public async Task Completed_SameLimitButMoreRemainingThanTheSharedBucketCanHave_SplitsThem()
    {
        // Essentials: users and organization members both have buckets of 40.
        var gate = new RateGate(_time, null, new ThrottleMonitor(_time));
        for (var i = 0; i < 20; i++)
        {
            await SendAsync(gate, EndpointGroup.ReadUsers, limit: 40, remaining: 39 - i);
        }

        await SendAsync(gate, EndpointGroup.ReadOrganizationMembers, limit: 40, remaining: 39);

        Assert.True(gate.PerGroupBuckets);
        Assert.Equal(2, gate.Report().Count);
    }

    [Fact]
    public async Task Completed_HeadersOfAnotherBucket_DoNotChangeABucketsModel()
    {
        var gate = new RateGate(_time, null, new ThrottleMonitor(_time));
        await SendAsync(gate, EndpointGroup.ReadLogs, limit: 10, remaining: 9);
        await SendAsync(gate, EndpointGroup.ReadClients, limit: 5, remaining: 4);
        await SendAsync(gate, EndpointGroup.ReadLogs, limit: 10, remaining: 8);

        // The clients bucket drains to the one request it keeps in hand: logs, with 8 left, are not held by it.
        for (var i = 3; i >= 1; i--)
        {
            await SendAsync(gate, EndpointGroup.ReadClients, limit: 5, remaining: i);
        }

        var clientsTurn = gate.AcquireAsync(EndpointGroup.ReadClients, CancellationToken.None);
        for (var i = 0; i < 6; i++)
        {
            var logs = gate.AcquireAsync(EndpointGroup.ReadLogs, CancellationToken.None);
            Assert.True(logs.IsCompleted, $"logs request {i} held by the clients bucket's headers");
            Assert.False(clientsTurn.IsCompleted, "the drained clients bucket let a request through");
            using var answer = Answer(10, 7 - i);
            gate.Completed(await logs, answer);
        }

        var logsBucket = gate.Report().Single(b => b.Groups.Contains(EndpointGroup.ReadLogs));
        Assert.Equal(10, logsBucket.Limit);
        Assert.DoesNotContain(EndpointGroup.ReadClients, logsBucket.Groups);
    }

    [Fact]
    public async Task AcquireAsync_SmallBucketOfTwoRefillingTwoPerSecond_IsUsedAtTwoPerSecond()
    {
        // Free: 2 burst, 2 per second. Whole tokens remaining, reset rounded up to the next epoch second.
        var gate = new RateGate(_time, null, new ThrottleMonitor(_time));
        var level = 2.0;
        var last = _time.GetUtcNow();
        var sent = 0;
        var start = _time.GetUtcNow();
        while (_time.GetUtcNow() - start < TimeSpan.FromSeconds(10))
        {
            var turn = gate.AcquireAsync(EndpointGroup.Other, CancellationToken.None).AsTask();
            while (!turn.IsCompleted)
            {
                _time.Advance(TimeSpan.FromMilliseconds(10));
                await Task.Delay(1);
            }

            var now = _time.GetUtcNow();
            level = Math.Min(2, level + (2 * (now - last).TotalSeconds));
            last = now;
            Assert.True(level >= 1, $"request {sent} was sent on an empty bucket ({level:F2})");
            level--;
            sent++;
            using var answer = Answer(2, (int)level, resetInSeconds: level >= 2 ? 0 : (1 - (level % 1)) / 2);
            gate.Completed(await turn, answer);
        }

        // 2 per second for 10 s, plus the burst less the one kept in hand: not one every 2.5 s.
        Assert.InRange(sent, 19, 22);
    }

    [Fact]
    public async Task AcquireAsync_GroupNotYetAnsweredOncePerGroupBucketsAreKnown_GoesOneRequestFirstNotHeldByTheOthers()
    {
        // Essentials: users drained the shared model to its last request, then clients showed a bucket of its own.
        var gate = new RateGate(_time, null, new ThrottleMonitor(_time));
        for (var remaining = 39; remaining >= 1; remaining--)
        {
            await SendAsync(gate, EndpointGroup.ReadUsers, limit: 40, remaining: remaining);
        }

        var clients = gate.AcquireAsync(EndpointGroup.ReadClients, CancellationToken.None).AsTask();
        for (var i = 0; i < 100 && !clients.IsCompleted; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(10));
            await Task.Delay(1);
        }

        using (var answer = Answer(5, 4))
        {
            gate.Completed(await clients, answer);
        }

        Assert.True(gate.PerGroupBuckets);

        // Logs never answered: its first request goes at once on a model of its own, the second waits for that answer.
        var first = gate.AcquireAsync(EndpointGroup.ReadLogs, CancellationToken.None);
        Assert.True(first.IsCompleted, "a logs request was held by another group's bucket");
        var second = gate.AcquireAsync(EndpointGroup.ReadLogs, CancellationToken.None).AsTask();
        _time.Advance(TimeSpan.FromMilliseconds(50));
        await Task.Delay(20);
        Assert.False(second.IsCompleted, "a second logs request went before the first one's answer told the bucket's size");

        using (var answer = Answer(10, 9))
        {
            gate.Completed(await first, answer);
        }

        for (var i = 0; i < 100 && !second.IsCompleted; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(10));
            await Task.Delay(1);
        }

        Assert.True(second.IsCompleted, "the second logs request was still held after the first one's answer");
        using (var answer = Answer(10, 8))
        {
            gate.Completed(await second, answer);
        }

        var logs = gate.Report().Single(b => b.Groups.Contains(EndpointGroup.ReadLogs));
        Assert.Equal([EndpointGroup.ReadLogs], logs.Groups);
        Assert.Equal(10, logs.Limit);
    }

    [Fact]
    public async Task AcquireAsync_GroupNeverAnsweredWaitingOnASharedModel_GoesBeforeTheAnsweredGroups()
    {
        // Organizations drained the shared model; its next request waits, then one of a group never seen arrives:
        // that one goes first, since its answer may show a bucket of its own.
        var gate = new RateGate(_time, null, new ThrottleMonitor(_time));
        for (var remaining = 4; remaining >= 1; remaining--)
        {
            await SendAsync(gate, EndpointGroup.ReadOrganizations, limit: 5, remaining: remaining);
        }

        var organizations = gate.AcquireAsync(EndpointGroup.ReadOrganizations, CancellationToken.None).AsTask();
        var roles = gate.AcquireAsync(EndpointGroup.Other, CancellationToken.None).AsTask();
        for (var i = 0; i < 300 && !roles.IsCompleted && !organizations.IsCompleted; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(10));
            await Task.Delay(1);
        }

        Assert.True(roles.IsCompleted, "the request of the group never answered was not admitted first");
        Assert.False(organizations.IsCompleted, "an answered group's request went before the first look at another group");
        using var answer = Answer(10, 9);
        gate.Completed(await roles, answer);
    }

    [Fact]
    public async Task Completed_OneBucketRefillingFasterThanAuth0sTable_IsNotTakenForPerGroupBuckets()
    {
        // One bucket of 10 refilling 10 a second: Auth0's table for a limit of 10 says 1.67/s (Read Logs). Logs drain
        // it to 2; half a second later another group's answer shows 7, which the bucket gained at its own pace.
        var gate = new RateGate(_time, null, new ThrottleMonitor(_time));
        for (var remaining = 9; remaining >= 2; remaining--)
        {
            await SendAsync(gate, EndpointGroup.ReadLogs, limit: 10, remaining: remaining);
        }

        _time.Advance(TimeSpan.FromMilliseconds(500));
        await SendAsync(gate, EndpointGroup.Other, limit: 10, remaining: 7);

        Assert.False(gate.PerGroupBuckets, "one fast bucket was split into a model per group");
        Assert.Single(gate.Report());
    }
}
