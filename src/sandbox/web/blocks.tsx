// Block Kit layout blocks, as the bot sends them in messages, modals and App Home. A block
// the page does not know is shown as such, never dropped, so a new block type the bot starts
// using is visible in the sandbox.
import { blockIdOf } from './block-ids.js';
import { ElementView, ImageView, type OnAction } from './elements.js';
import { InputBlockView, type FormProps } from './inputs.js';
import { TextView } from './mrkdwn.js';
import type { Block, ContextBlock, ImageElement, SectionBlock, TextObject } from './types.js';

interface BlockProps<B> {
  block: B;
  blockId: string;
  onAction: OnAction;
}

function Section({ block, blockId, onAction }: BlockProps<SectionBlock>) {
  return (
    <div class="blk-section">
      <div class="blk-section-body">
        <TextView text={block.text} />
        {block.fields && block.fields.length > 0 && (
          <div class="blk-fields">
            {block.fields.map((field, i) => (
              <div key={i} class="blk-field">
                <TextView text={field} />
              </div>
            ))}
          </div>
        )}
      </div>
      {block.accessory && (
        <div class="blk-accessory">
          <ElementView element={block.accessory} blockId={blockId} index={0} onAction={onAction} />
        </div>
      )}
    </div>
  );
}

function Context({ block }: { block: ContextBlock }) {
  return (
    <div class="blk-context">
      {(block.elements ?? []).map((el, i) =>
        el.type === 'image' ? (
          <ImageView key={i} element={el as ImageElement} className="context-img" />
        ) : (
          <span key={i} class="context-text">
            <TextView text={el as TextObject} />
          </span>
        ),
      )}
    </div>
  );
}

export function BlockView({ block, blockId, onAction, form }: BlockProps<Block> & { form?: FormProps | undefined }) {
  switch (block.type) {
    case 'header':
      return <div class="blk-header">{block.text?.text}</div>;
    case 'section':
      return <Section block={block} blockId={blockId} onAction={onAction} />;
    case 'context':
      return <Context block={block} />;
    case 'divider':
      return <hr class="blk-divider" />;
    case 'actions':
      return (
        <div class="blk-actions">
          {(block.elements ?? []).map((el, i) => (
            <ElementView key={i} element={el} blockId={blockId} index={i} onAction={onAction} />
          ))}
        </div>
      );
    case 'input':
      return <InputBlockView block={block} blockId={blockId} form={form} />;
    case 'image':
      return (
        <figure class="blk-image">
          {block.title && <figcaption class="blk-image-title">{block.title.text}</figcaption>}
          <ImageView element={{ type: 'image', image_url: block.image_url, alt_text: block.alt_text }} className="image" />
        </figure>
      );
    default:
      return <div class="unsupported blk-unsupported">[unsupported block: {(block as { type: string }).type}]</div>;
  }
}

/** A surface's blocks. `form` is given in modals, where input blocks edit its state. */
export function Blocks({ blocks, onAction, form }: { blocks: Block[] | undefined; onAction: OnAction; form?: FormProps }) {
  return (
    <div class="blocks">
      {(blocks ?? []).map((block, index) => (
        <BlockView key={`${index}:${block.type}`} block={block} blockId={blockIdOf(block, index)} onAction={onAction} form={form} />
      ))}
    </div>
  );
}
