//! One `ExecutionPlan` for every leaf scan of `posts`. A source says how many
//! partitions it has and how to stream one ([`Partitions`]); the plan, its properties
//! (computed once) and its place in DataFusion's tree are written here, once.

use std::fmt;
use std::sync::Arc;

use datafusion::common::Statistics;
use datafusion::common::stats::Precision;
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::error::Result as DfResult;
use datafusion::execution::TaskContext;
use datafusion::physical_expr::{EquivalenceProperties, PhysicalExpr};
use datafusion::physical_plan::execution_plan::{Boundedness, EmissionType};
use datafusion::physical_plan::statistics::StatisticsArgs;
use datafusion::physical_plan::{
    ChildrenPropertiesMode, DisplayAs, DisplayFormatType, ExecutionPlan, Partitioning,
    PlanProperties, ReplaceChildrenOptions, SendableRecordBatchStream,
};

use super::records::Projection;

/// The partitions of a scan: how many, and how to stream one with a projection.
pub trait Partitions: Send + Sync + 'static {
    /// The plan's name in DataFusion's plans.
    const NAME: &'static str;

    /// How many partitions the scan has (at least one).
    fn count(&self) -> usize;

    /// The scan's row count, when the source knows it without reading the rows.
    fn rows(&self) -> Option<usize> {
        None
    }

    /// A line for DataFusion's plan display.
    fn describe(&self, f: &mut fmt::Formatter) -> fmt::Result;

    /// Streams partition `partition`'s rows as batches of `projection`.
    fn stream(
        &self,
        partition: usize,
        projection: &Projection,
    ) -> DfResult<SendableRecordBatchStream>;
}

/// A leaf scan of `posts` over the partitions `P` describes.
pub struct PostsScan<P> {
    partitions: P,
    projection: Projection,
    properties: Arc<PlanProperties>,
}

impl<P: Partitions> PostsScan<P> {
    pub fn new(partitions: P, projection: Projection) -> Self {
        let properties = Arc::new(PlanProperties::new(
            EquivalenceProperties::new(projection.schema.clone()),
            Partitioning::UnknownPartitioning(partitions.count()),
            EmissionType::Incremental,
            Boundedness::Bounded,
        ));
        Self {
            partitions,
            projection,
            properties,
        }
    }
}

impl<P: Partitions> fmt::Debug for PostsScan<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.partitions.describe(f)
    }
}

impl<P: Partitions> DisplayAs for PostsScan<P> {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut fmt::Formatter) -> fmt::Result {
        self.partitions.describe(f)
    }
}

impl<P: Partitions> ExecutionPlan for PostsScan<P> {
    fn name(&self) -> &str {
        P::NAME
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![]
    }

    fn apply_expressions(
        &self,
        _f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> DfResult<TreeNodeRecursion>,
    ) -> DfResult<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }

    fn replace_children(
        self: Arc<Self>,
        _children: Vec<Arc<dyn ExecutionPlan>>,
        _options: ReplaceChildrenOptions,
    ) -> DfResult<Arc<dyn ExecutionPlan>> {
        Ok(self)
    }

    fn with_new_children(
        self: Arc<Self>,
        children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> DfResult<Arc<dyn ExecutionPlan>> {
        self.replace_children(
            children,
            ReplaceChildrenOptions::new(ChildrenPropertiesMode::Recompute),
        )
    }

    fn statistics_from_inputs(
        &self,
        _input_stats: &[Arc<Statistics>],
        args: &StatisticsArgs,
    ) -> DfResult<Arc<Statistics>> {
        let mut statistics = Statistics::new_unknown(&self.projection.schema);
        if let (None, Some(rows)) = (args.partition(), self.partitions.rows()) {
            statistics.num_rows = Precision::Exact(rows);
        }
        Ok(Arc::new(statistics))
    }

    fn execute(
        &self,
        partition: usize,
        _context: Arc<TaskContext>,
    ) -> DfResult<SendableRecordBatchStream> {
        self.partitions.stream(partition, &self.projection)
    }
}
