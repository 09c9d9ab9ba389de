using Auth0Connector.Streams;

namespace Auth0Connector.Tests.Streams;

/// <summary>Where a listing ends (the server's signals, never a page merely shorter than asked) and what a short page teaches.</summary>
public class ListingEndTests
{
    private readonly List<string> _learned = [];

    private PageSize Sizes(int configured = 100) => new(configured, _learned.Add);

    [Fact]
    public void OffsetPage_ShortPageBeforeTheTotal_GoesOnAtTheServedSizeAndLearnsItFromTheNextFullPage()
    {
        var sizes = Sizes();
        var end = new ListingEnd(sizes, "clients");

        Assert.False(end.OffsetPage(50, 100, total: 120));
        Assert.Equal(50, end.SizeFor(sizes.Value, aligned: true));
        Assert.Empty(_learned);
        Assert.False(end.OffsetPage(50, 50, total: 120));
        Assert.True(end.OffsetPage(20, 50, total: 120));

        Assert.Equal(50, sizes.Value);
        var learned = Assert.Single(_learned);
        Assert.Contains("/api/v2/clients answered 50 items where 100 were asked", learned, StringComparison.Ordinal);
        Assert.Equal(120, end.Delivered);
    }

    [Fact]
    public void OffsetPage_TotalReached_IsTheLastWhateverItsSize()
    {
        var end = new ListingEnd(Sizes(), "roles");

        Assert.False(end.OffsetPage(100, 100, total: 130));
        Assert.True(end.OffsetPage(30, 100, total: 130));
        Assert.Empty(_learned);
    }

    [Fact]
    public void OffsetPage_EmptyPage_IsTheLastEvenBeforeTheTotal()
    {
        var tally = new ListingTally();
        var end = new ListingEnd(Sizes(), "roles", tally);

        Assert.False(end.OffsetPage(100, 100, total: 205));
        Assert.False(end.OffsetPage(50, 100, total: 205));
        Assert.Equal(50, end.SizeFor(100, aligned: true));
        Assert.True(end.OffsetPage(0, 50, total: 205));

        // The total counted more than the listing holds: nothing learnt, the shortfall reported.
        Assert.Empty(_learned);
        Assert.Equal(new Reconciliation(205, 150, 55, 1), tally.Result);
    }

    [Fact]
    public void OffsetPage_WithoutATotal_APageShorterThanAuth0EverServesIsTheLast()
    {
        var end = new ListingEnd(Sizes(), "organizations/org_1/invitations");

        Assert.True(end.OffsetPage(49, 100, total: null));
    }

    [Fact]
    public void OffsetPage_WithoutATotal_AShortPageThatMayBeACapAsksTheNextAtItsSize()
    {
        var sizes = Sizes();
        var end = new ListingEnd(sizes, "organizations/org_1/invitations");

        Assert.False(end.OffsetPage(60, 100, total: null));
        Assert.Equal(60, end.SizeFor(sizes.Value, aligned: true));
        Assert.True(end.OffsetPage(0, 60, total: null));

        // It was the last after all: one request more, nothing learnt.
        Assert.Equal(100, sizes.Value);
        Assert.Empty(_learned);
    }

    [Fact]
    public void OffsetPage_WithoutATotal_AfterAFullerPageAShortOneIsTheLast()
    {
        var end = new ListingEnd(Sizes(), "organizations/org_1/invitations");

        Assert.False(end.OffsetPage(100, 100, total: null));
        Assert.True(end.OffsetPage(60, 100, total: null));
    }

    [Fact]
    public void OffsetPage_WithoutATotal_OnceTheCapIsLearntAShortPageIsTheLast()
    {
        var sizes = Sizes();
        sizes.Learn(100, 50, "clients");
        var end = new ListingEnd(sizes, "organizations/org_1/invitations");

        Assert.False(end.OffsetPage(50, 50, total: null));
        Assert.True(end.OffsetPage(49, 50, total: null));
    }

    [Fact]
    public void CheckpointPage_ShortPageWithANextThenAnEmptyOne_EndsAndLearnsNothing()
    {
        var sizes = Sizes();
        var end = new ListingEnd(sizes, "organizations/org_1/members");

        Assert.False(end.CheckpointPage(100, 100, hasNext: true));
        Assert.False(end.CheckpointPage(20, 100, hasNext: true));
        Assert.True(end.CheckpointPage(0, 20, hasNext: false));

        Assert.Equal(100, sizes.Value);
        Assert.Empty(_learned);
    }

    [Fact]
    public void CheckpointPage_ShortPagesWithANext_LearnTheServedSizeAndEndWithoutANext()
    {
        var sizes = Sizes();
        var end = new ListingEnd(sizes, "connections");

        Assert.False(end.CheckpointPage(50, 100, hasNext: true));
        Assert.False(end.CheckpointPage(50, 50, hasNext: true));
        Assert.True(end.CheckpointPage(10, 50, hasNext: false));

        Assert.Equal(50, sizes.Value);
        Assert.Single(_learned);
    }

    [Theory]
    [InlineData(0, 100, 100)]
    [InlineData(200, 100, 100)]
    [InlineData(150, 100, 75)]
    [InlineData(120, 50, 40)]
    [InlineData(7, 5, 1)]
    public void Aligned_APosition_GivesTheLargestSizeWhosePagesStartThere(long position, int size, int expected) =>
        Assert.Equal(expected, PageSize.Aligned(position, size));

    [Fact]
    public void ListingTally_WhatChangedWhileAListingWasRead_IsNotAShortfall()
    {
        var tally = new ListingTally();

        tally.Add(firstTotal: 150, lastTotal: 149, delivered: 149); // one deleted meanwhile
        tally.Add(firstTotal: 40, lastTotal: 41, delivered: 40);    // one created meanwhile
        tally.Add(firstTotal: 10, lastTotal: 10, delivered: 12);    // more than counted: does not hide another's shortfall
        tally.Add(firstTotal: 60, lastTotal: 60, delivered: 50);

        Assert.Equal(new Reconciliation(260, 251, 10, 4), tally.Result);
        Assert.Null(new ListingTally().Result);
    }
}
