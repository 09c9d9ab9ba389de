using System.Text.RegularExpressions;
using Auth0Connector.Configuration;
using Auth0Connector.Tests.Support;

namespace Auth0Connector.Tests.Cli;

/// <summary>What Airbyte's UI and acceptance tests expect of the SPEC message.</summary>
public class SpecTests
{
    [Fact]
    public async Task Spec_StartDate_HasTheDatePickerPatternAndExamplesTheConnectorAccepts()
    {
        var run = await ConnectorRun.InvokeAsync(["spec"]);

        var startDate = Assert.Single(run.OfType("SPEC")).GetProperty("spec").GetProperty("connectionSpecification").GetProperty("properties").GetProperty("start_date");
        Assert.Equal("date-time", startDate.GetProperty("format").GetString());
        Assert.Equal("YYYY-MM-DDTHH:mm:ss.SSSZ", startDate.GetProperty("pattern_descriptor").GetString());
        var pattern = new Regex(startDate.GetProperty("pattern").GetString()!, RegexOptions.None, TimeSpan.FromSeconds(1));
        var examples = startDate.GetProperty("examples").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.NotEmpty(examples);
        foreach (var example in examples)
        {
            Assert.Matches(pattern, example);
            Assert.NotNull(JsonInput.TryParseIso8601(example));
        }

        Assert.DoesNotMatch(pattern, "2023-08-05 00:00");
    }
}
