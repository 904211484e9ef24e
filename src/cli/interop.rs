//! `archsim import`, `export` and `record`: diagrams in, diagrams and animated runs out.

use std::collections::BTreeMap;
use std::io::Read as _;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::interop::export::ExportFormat;
use crate::interop::record::RecordOptions;
use crate::interop::{self, Format};
use crate::model;
use crate::sim::Simulation;

use super::{CliError, check, read_scenario, run_spec, write_stdout};

/// The `--format` of `archsim import`.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum ImportFormat {
    /// Mermaid flowchart or architecture-beta.
    Mermaid,
    /// draw.io / diagrams.net.
    Drawio,
    /// Excalidraw JSON.
    Excalidraw,
    /// Graphviz DOT.
    Dot,
}

/// Options of `archsim import`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The diagram: .mmd/.md (Mermaid), .drawio/.xml, .excalidraw/.json, .dot/.gv; `-` reads stdin.
    #[arg(value_name = "FILE")]
    pub file: String,
    /// Where to write the scenario (default: stdout).
    #[arg(short, long, value_name = "OUT.ron")]
    pub output: Option<PathBuf>,
    /// The diagram's format (default: from the extension, else from the text).
    #[arg(long, value_enum)]
    pub format: Option<ImportFormat>,
}

/// The `--format` of `archsim export`.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum DiagramFormat {
    /// Mermaid flowchart (`import` reads it back).
    Mermaid,
    /// Graphviz digraph (`import` reads it back).
    Dot,
    /// SVG picture.
    Svg,
}

/// Options of `archsim export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// Scenario file, or a preset name.
    #[arg(value_name = "FILE")]
    pub scenario: String,
    /// What to write.
    #[arg(long, value_enum)]
    pub format: DiagramFormat,
    /// Where to write it (default: stdout).
    #[arg(short, long, value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// SVG only: run the scenario first and colour each node by its mean utilization.
    #[arg(long)]
    pub run: bool,
    /// With --run: load multiplier (> 0).
    #[arg(long, value_name = "X", value_parser = super::parse_load)]
    pub load: Option<f64>,
}

/// Options of `archsim record`.
#[derive(Debug, clap::Args)]
pub struct RecordArgs {
    /// Scenario file, or a preset name.
    #[arg(value_name = "FILE")]
    pub scenario: String,
    /// Where to write the GIF.
    #[arg(short, long, value_name = "OUT.gif")]
    pub output: PathBuf,
    /// Load multiplier (> 0).
    #[arg(long, value_name = "X", default_value_t = 1.0, value_parser = super::parse_load)]
    pub load: f64,
    /// Simulated seconds to record, from the start.
    #[arg(long, value_name = "S", default_value_t = 20.0)]
    pub seconds: f64,
    /// Frames per simulated second (1 to 30).
    #[arg(long, default_value_t = 10)]
    pub fps: u32,
    /// Width in pixels (160 to 1920).
    #[arg(long, default_value_t = 800)]
    pub width: u32,
    /// Height in pixels (120 to 1080).
    #[arg(long, default_value_t = 450)]
    pub height: u32,
    /// Palette size (16 to 256 colours): fewer colours, smaller file.
    #[arg(long, default_value_t = 256)]
    pub colors: u32,
    /// Playback speed: 2 plays twice as fast as simulated time (0.1 to 100).
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
    /// Leave out the requests in flight (a smaller file).
    #[arg(long)]
    pub no_dots: bool,
    /// RNG seed (replaces the scenario's).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
}

/// `archsim import`: exit 0 when the scenario validates, 1 when it still lacks something (written anyway).
pub fn import(args: &ImportArgs) -> Result<ExitCode, CliError> {
    let text = if args.file == "-" {
        let mut t = String::new();
        std::io::stdin()
            .read_to_string(&mut t)
            .map_err(|e| CliError::Usage(format!("cannot read stdin: {e}")))?;
        t
    } else {
        std::fs::read_to_string(&args.file).map_err(|source| model::ScenarioError::Io {
            file: args.file.clone(),
            source,
        })?
    };
    let format = args.format.map(|f| match f {
        ImportFormat::Mermaid => Format::Mermaid,
        ImportFormat::Drawio => Format::Drawio,
        ImportFormat::Excalidraw => Format::Excalidraw,
        ImportFormat::Dot => Format::Dot,
    });
    let label = if args.file == "-" {
        "stdin"
    } else {
        args.file.as_str()
    };
    let imported =
        interop::import(format, &text, label).map_err(|e| CliError::Usage(e.to_string()))?;
    let ron = model::to_string(&imported.scenario);
    match &args.output {
        Some(path) => write_file(path, ron.as_bytes())?,
        None => write_stdout(&ron)?,
    }
    eprint!("{}", imported.summary());
    if let Some(path) = &args.output {
        eprintln!("Wrote {}", path.display());
    }
    Ok(if imported.problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// `archsim export`.
pub fn export(args: &ExportArgs) -> Result<ExitCode, CliError> {
    let (scenario, label) = read_scenario(&args.scenario)?;
    check(&scenario, &label)?;
    let format = match args.format {
        DiagramFormat::Mermaid => ExportFormat::Mermaid,
        DiagramFormat::Dot => ExportFormat::Dot,
        DiagramFormat::Svg => ExportFormat::Svg,
    };
    if (args.run || args.load.is_some()) && format != ExportFormat::Svg {
        return Err(CliError::Usage(
            "--run and --load colour an SVG; use them with --format svg".into(),
        ));
    }
    let heat = if args.run || args.load.is_some() {
        let mut sim = Simulation::from_spec(&run_spec(
            scenario.clone(),
            &label,
            args.load.unwrap_or(1.0),
        )?);
        sim.run_to_end();
        let map: BTreeMap<String, f64> = sim
            .report()
            .nodes
            .iter()
            .map(|n| (n.id.clone(), n.utilization))
            .collect();
        Some(map)
    } else {
        None
    };
    let text = interop::export::export(&scenario, format, heat.as_ref());
    match &args.output {
        Some(path) => write_file(path, text.as_bytes())?,
        None => write_stdout(&text)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// `archsim record`.
pub fn record(args: &RecordArgs) -> Result<ExitCode, CliError> {
    let (mut scenario, label) = read_scenario(&args.scenario)?;
    if let Some(seed) = args.seed {
        scenario.seed = seed;
    }
    check(&scenario, &label)?;
    let opts = RecordOptions {
        load: args.load,
        seconds: args.seconds,
        fps: args.fps,
        width: args.width,
        height: args.height,
        colors: args.colors,
        speed: args.speed,
        dots: !args.no_dots,
    };
    let bytes = interop::record::record(&scenario, &opts).map_err(CliError::Usage)?;
    write_file(&args.output, &bytes)?;
    eprintln!(
        "Wrote {} ({:.2} MB, {} s at {}x, {} fps, {}x{})",
        args.output.display(),
        bytes.len() as f64 / 1e6,
        args.seconds,
        args.load,
        args.fps,
        args.width,
        args.height
    );
    Ok(ExitCode::SUCCESS)
}

fn write_file(path: &std::path::Path, bytes: &[u8]) -> Result<(), CliError> {
    model::write_atomic(path, bytes).map_err(|source| CliError::Write {
        path: path.display().to_string(),
        source,
    })
}
